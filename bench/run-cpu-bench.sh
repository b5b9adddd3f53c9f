#!/usr/bin/env bash
# Builds the benchmark jar (unless SKIP_BUILD=1) and runs the CPU HT dispatch + combine benchmark;
# the JSON lands in bench/results/cpu-ht-<host>-<date>.json. Extra arguments go to CpuBenchReport
# (e.g. --iterations 3 --note "2 shared cores, other builds running").
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  mvn -B -q -pl bench -am package -Dmaven.test.skip=true
fi
exec java -Xmx4g -cp bench/target/benchmarks.jar io.epruntime.bench.CpuBenchReport \
  --command "bench/run-cpu-bench.sh $*" "$@"
