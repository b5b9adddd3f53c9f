/**
 * The Grafana dashboard in deploy/grafana: every PromQL query it holds names only metrics, labels
 * and label values that a node's {@code /metrics} really exports.
 */
package io.epruntime.tests.dashboard;
