#!/usr/bin/env bash
# The peer path on the GPU machine, in one call (after scripts/device/prepare-carry.sh here):
#   run(command="bash scripts/device/peer-run.sh [quick|full]", carry=[".device-carry/native-ep"], timeout_s=600)
# quick: the GPU suite at the small shape, four rank processes on one GPU (ep run), the benchmark,
# PyTorch's version; llprobe: LL at other token counts and capacities; rest: the kill -9 and world-size-1 parts of full; full: the suite at both shapes, kill -9 of a rank on the shared GPU, the
# world-size-1 suites. Writes env.txt, junit-*.txt, gpu-checks-*.txt, cluster-run.txt,
# peer-bench.json, torch-peer.json and logs to $OUT. NVLink multicast stays off.
set -uo pipefail
mode=${1:-quick}
C=.device-carry/native-ep
OUT=${OUT:-/tmp/ep-out}
mkdir -p "$OUT"
export NCCL_NVLS_ENABLE=0 NCCL_DEBUG=${NCCL_DEBUG:-WARN} PYTHONUNBUFFERED=1
# Every kernel loaded at CUDA start, not on first launch (docs/gpu.md: lazy loading and barriers).
export CUDA_MODULE_LOADING=${CUDA_MODULE_LOADING:-EAGER}
mkdir -p /tmp/jre && tar -C /tmp/jre -xJf "$C/jre.tar.xz"
JAVA=/tmp/jre/ep-jre/bin/java
cublas=$(ls /usr/local/cuda/lib64/libcublas.so.1[23] 2>/dev/null | head -1)
[[ -n "$cublas" ]] && export LD_LIBRARY_PATH="$(dirname "$cublas")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
{
  echo "date: $(date -u +%FT%TZ)"
  echo "gpu: $(nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader)"
  echo "nvcc: $(nvcc --version | tail -1)"
  echo "libnccl.so.2: $(readlink -f "$(ldconfig -p | awk '/libnccl.so.2 /{print $NF; exit}')")"
  echo "torch: $(python3 -c 'import torch; print(torch.__version__, "cuda", torch.version.cuda)')"
  echo "java: $($JAVA -version 2>&1 | head -1)"
  echo "cpus: $(nproc)"
} >"$OUT/env.txt" 2>&1
cat "$OUT/env.txt"

# bounded <seconds> <log> <command...>: runs the command in its own process group; past the limit
# it dumps the Java threads (SIGQUIT) and every thread's kernel wait channel (and native stacks when
# gdb is there) to <log>.stacks, then kills the group. A JVM hung in exit() ignores plain timeout's TERM.
bounded() {
  local secs=$1 log=$2; shift 2
  setsid "$@" >"$log" 2>&1 &
  local pid=$! t=0
  while kill -0 "$pid" 2>/dev/null && ((t < secs)); do sleep 1; t=$((t + 1)); done
  if kill -0 "$pid" 2>/dev/null; then
    echo "timed out after ${secs}s: $*" | tee -a "$log"
    for j in $(pgrep -g "$pid" java); do kill -QUIT "$j"; done
    sleep 2
    for task in /proc/"$pid"/task/* $(for j in $(pgrep -g "$pid" java); do echo /proc/$j/task/*; done); do
      echo "$task $(cat "$task/comm" 2>/dev/null) $(cat "$task/wchan" 2>/dev/null)"
    done >"$log.stacks" 2>&1
    if command -v gdb >/dev/null; then
      for j in $(pgrep -g "$pid" java); do timeout 30 gdb -p "$j" -batch -ex "thread apply all bt 12" >>"$log.stacks" 2>&1; done
    fi
    kill -9 -- -"$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 124
  fi
  wait "$pid"
}

# What the embedded Aeron driver (client, nodes) needs; the launcher forks nodes with it too.
OPENS="--add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.base/java.util.zip=ALL-UNNAMED"

suite() {  # suite <seconds> <name> <class...>
  local secs=$1 name=$2; shift 2
  local sel=()
  for c in "$@"; do sel+=(--select-class="io.epruntime.$c"); done
  bounded "$secs" "$OUT/junit-$name.txt" "$JAVA" -Xmx48g $OPENS -Dep.gpu.report="$OUT/gpu-checks-$name.txt" -Dep.gpu.peer-shapes="$shapes" \
    -cp "$C/lib/*" org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=tree --include-tag=gpu \
    "${sel[@]}"
  echo "junit $name exit $?"; grep -E "tests (successful|failed|skipped)" "$OUT/junit-$name.txt"
  grep -E "✘|MethodSource|Exception|expected" "$OUT/junit-$name.txt" | head -20
}

cluster() {  # cluster <"dtype kernel">...: four rank JVMs on the one GPU, every step verified
  for spec in "$@"; do
    set -- $spec
    bounded "${CLUSTER_SECS:-120}" "$OUT/cluster-run-$1.txt" "$JAVA" $OPENS \
      -cp "$C/lib/*" io.epruntime.cli.EpCli run --ranks 4 --gpus 1 --backend nccl --steps 200 --dtype "$1" \
      --expert-kernel "$2" --run-dir "/tmp/ep-run-$1"
    cat "$OUT/cluster-run-$1.txt" >>"$OUT/cluster-run.txt"
    echo "ep run --ranks 4 --gpus 1 --backend nccl --dtype $1 --expert-kernel $2: exit $?" | tee -a "$OUT/cluster-run.txt"
    grep -h -E "peer windows|did not answer|ERROR" /tmp/ep-run-$1/*.log 2>/dev/null | head -6 | cut -c1-300 | tee -a "$OUT/cluster-run.txt"
  done
  grep -E "result|steps  |world ready" "$OUT/cluster-run.txt"
  tar -C /tmp -czf "$OUT/cluster-logs.tgz" $(cd /tmp && ls -d ep-run-* 2>/dev/null) 2>/dev/null
}

if [[ $mode == last ]]; then
  # For the last minutes of a lease: the small-shape suite, then the benchmark at N = 8 in bf16.
  shapes=small suite 80 peer rank.backend.nccl.PeerWindowsGpuTest
  grep -E "peer N=8 small bf16 HT identity rank 0|tests (successful|failed)" "$OUT/gpu-checks-peer.txt" "$OUT/junit-peer.txt" | head
  bounded 90 "$OUT/bench-log.txt" "$JAVA" -Xmx48g -cp "$C/lib/*" io.epruntime.rank.backend.nccl.PeerBench --ranks 8 --dtypes bf16 --iters 8 --warmup 2 \
    --out "$OUT/peer-bench.json"
  echo "bench exit $?"; grep -E "peer-bench|Exception" "$OUT/bench-log.txt" | cut -c1-900 | head
  timeout -k 5 30 python3 bench/gpu/torch_peer.py --ranks 8 --dtypes bf16 --iters 8 --warmup 2 >"$OUT/torch-peer.json" 2>>"$OUT/logs.txt"
  echo "torch exit $?"; cat "$OUT/torch-peer.json" | head -c 600
elif [[ $mode == quick || $mode == short ]]; then
  # short: for a lease with little device time left (the benchmark at N = 8 only, shorter caps).
  ranks=8,4,2; bench_secs=160; suite_secs=120
  [[ $mode == short ]] && ranks=8 bench_secs=100 suite_secs=100
  shapes=small suite $suite_secs peer rank.backend.nccl.PeerWindowsGpuTest
  if ! grep -qE "\[ *0 tests failed" "$OUT/junit-peer.txt"; then
    # The peer path is wrong somewhere: spend no device time on runs built on it.
    echo "peer suite failed: stopping here"; grep -E "peer N=|Exception|expected" "$OUT/gpu-checks-peer.txt" "$OUT/junit-peer.txt" | head -40
    exit 1
  fi
  echo "== benchmark"
  bounded $bench_secs "$OUT/bench-log.txt" "$JAVA" -Xmx48g -cp "$C/lib/*" io.epruntime.rank.backend.nccl.PeerBench --ranks $ranks --iters 10 --warmup 2 \
    --out "$OUT/peer-bench.json"
  echo "bench exit $?"; grep -E "peer-bench|Exception|error" "$OUT/bench-log.txt" | cut -c1-600 | head -20
  echo "== PyTorch"
  timeout -k 5 35 python3 bench/gpu/torch_peer.py --ranks $ranks --iters 10 --warmup 2 >"$OUT/torch-peer.json" 2>>"$OUT/logs.txt"
  echo "torch exit $?"; tail -5 "$OUT/logs.txt"
  echo "== four rank processes on one GPU"
  CLUSTER_SECS=60 cluster "bf16 scale"
  echo "== NCCL self send/recv at world size 1 (context)"
  chmod +x "$C/ep_bench"
  timeout -k 5 25 "$C/ep_bench" --nccl libnccl.so.2 --iters 20 --warmup 3 --json "$OUT/nccl-self.json" >>"$OUT/logs.txt" 2>&1
  echo "ep_bench exit $?"
  python3 bench/gpu/peer_report.py --bench "$OUT/peer-bench.json" --torch "$OUT/torch-peer.json" --env "$OUT/env.txt" \
    --nccl-self "$OUT/nccl-self.json" --command "bash scripts/device/peer-run.sh $mode (PeerBench --ranks $ranks --iters 10 --warmup 2; torch_peer.py --ranks $ranks --iters 10 --warmup 2)" \
    --out "$OUT/gpu-peer.json"
elif [[ $mode == llprobe ]]; then
  # Where LL's time goes (docs/gpu.md): the same bytes with 4x the receive-layout footprint, and
  # 4x fewer bytes with the same footprint; N = 8, bf16.
  for tc in "128 128" "32 32" "32 128" "8 128"; do
    set -- $tc
    bounded 120 "$OUT/bench-ll-$1-$2.txt" "$JAVA" -Xmx48g -cp "$C/lib/*" io.epruntime.rank.backend.nccl.PeerBench --ranks 8 \
      --dtypes bf16 --iters 10 --warmup 2 --ll-tokens "$1" --ll-capacity "$2" --out "$OUT/peer-bench-ll-$1-$2.json"
    grep -h -o '"ll_dispatch": {[^}]*}\|"ll_combine": {[^}]*}' "$OUT/peer-bench-ll-$1-$2.json" | sed "s/^/T=$1 M=$2 /"
  done
elif [[ $mode == rest ]]; then
  # What full runs after the peer suite and the fp8 cluster: kill -9 on the shared GPU, world size 1.
  shapes=small suite 180 recovery tests.cluster.RecoveryTest
  grep -E "gpu kill timeline" "$OUT/junit-recovery.txt" | cut -c1-1500
  tar -C target -czf "$OUT/recovery-logs.tgz" cluster-logs 2>/dev/null
  shapes=small suite 60 world1 rank.backend.nccl.NcclBackendGpuTest rank.backend.nccl.HostOverheadGpuTest
  chmod +x "$C/ep_bench"
  timeout -k 5 25 "$C/ep_bench" --nccl libnccl.so.2 --iters 20 --warmup 3 --json "$OUT/nccl-self.json" >>"$OUT/logs.txt" 2>&1
  echo "ep_bench exit $?"; tail -3 "$OUT/logs.txt"
else
  shapes=small,full suite 260 peer rank.backend.nccl.PeerWindowsGpuTest
  CLUSTER_SECS=90 cluster "fp8-e4m3 swiglu"
  shapes=small suite 180 recovery tests.cluster.RecoveryTest
  grep -E "gpu kill timeline" "$OUT/junit-recovery.txt" | cut -c1-1500
  tar -C target -czf "$OUT/recovery-logs.tgz" cluster-logs 2>/dev/null
  shapes=small suite 60 world1 rank.backend.nccl.NcclBackendGpuTest rank.backend.nccl.HostOverheadGpuTest
fi
