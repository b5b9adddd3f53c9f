/**
 * End-to-end cluster benchmark: {@link io.epruntime.bench.cluster.ClusterLatencyBench} starts four
 * node processes, measures small-step latency from a client next to a raw Aeron round trip, and the
 * idle CPU of each node, into {@code bench/results/cluster-latency.json}.
 */
package io.epruntime.bench.cluster;
