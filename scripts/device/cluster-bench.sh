#!/usr/bin/env bash
# Runs io.epruntime.bench.cluster.ClusterLatencyBench on the device machine with what
# prepare-cluster-bench.sh carried; every argument goes to the benchmark.
exec bash "$(dirname "$0")/bench-java.sh" io.epruntime.bench.cluster.ClusterLatencyBench "$@"
