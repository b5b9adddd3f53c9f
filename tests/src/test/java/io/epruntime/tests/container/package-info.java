/**
 * The pod contract, run for real: the StatefulSet's pod template (deploy/k8s/overlays/cpu) started
 * as Docker containers of the image deploy/image/build.sh makes, the way the kubelet would start
 * them, then driven by {@code EpClient} and checked against {@code ReferenceEngine}, also while a
 * pod is cut off the network ({@code docker network disconnect}) and when one is deleted.
 *
 * <pre>
 *  rendered overlay --PodTemplate--> env/args/ports/probes/volumes per ordinal
 *                                         |
 *  Docker network (fixed subnet) <--PodSet: containers ep-node-i, aliases ep-node-i.ep-nodes, pod IPs
 *        ^                                |
 *        |  Pekko remoting + Aeron        |  readiness: GET /ready on the probe's port
 *  child JVM: ContainerClientMain (EpClient, ReferenceEngine), names resolved by a hosts file
 * </pre>
 */
package io.epruntime.tests.container;
