/**
 * Offline checks of the Kubernetes manifests in {@code deploy/k8s}: every overlay is rendered
 * (with {@code kubectl kustomize} where installed, else with {@link io.epruntime.tests.k8s.SubsetKustomize}),
 * parsed into fabric8's typed model, and held to the pod contract the runtime relies on.
 *
 * <pre>
 *  deploy/k8s/overlays/X --render--> YAML --fabric8--> ManifestSet --ManifestChecks--> violations
 *                         (kubectl or SubsetKustomize)     |
 *                                                          +--UnknownFieldScan (typos land in additionalProperties)
 * </pre>
 */
package io.epruntime.tests.k8s;
