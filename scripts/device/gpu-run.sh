#!/usr/bin/env bash
# Everything native-ep needs checked and measured on the GPU machine, in one call:
#   run(command="bash scripts/device/gpu-run.sh", carry=[".device-carry/native-ep"], timeout_s=600)
# after scripts/device/prepare-carry.sh here. Writes env.txt, native-bench.json, torch-bench.json,
# gpu-checks.txt, junit-gpu.txt, cluster-run.txt, logs.txt and gpu-results.json to $OUT. NVLink multicast stays off.
set -uo pipefail
C=.device-carry/native-ep
OUT=${OUT:-/tmp/ep-out}
mkdir -p "$OUT"
export NCCL_NVLS_ENABLE=0 NCCL_DEBUG=${NCCL_DEBUG:-WARN} PYTHONUNBUFFERED=1
mkdir -p /tmp/jre && tar -C /tmp/jre -xJf "$C/jre.tar.xz"
JAVA=/tmp/jre/ep-jre/bin/java
chmod +x "$C/ep_bench"

# cuBLAS for swiglu: the toolkit's, else the one in the Python venv.
cublas=$(ls /usr/local/cuda/lib64/libcublas.so.1[23] 2>/dev/null | head -1)
[[ -z "$cublas" ]] && cublas=$(python3 - <<'PY' 2>/dev/null
import glob, os, site
for d in site.getsitepackages():
    for f in glob.glob(os.path.join(d, "nvidia", "**", "libcublas.so.1[23]"), recursive=True):
        print(f); raise SystemExit
PY
)
[[ -n "$cublas" ]] && export LD_LIBRARY_PATH="$(dirname "$cublas")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

{
  echo "date: $(date -u +%FT%TZ)"
  echo "gpu: $(nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader)"
  echo "nvcc: $(nvcc --version | tail -1)"
  echo "libnccl.so.2: $(readlink -f "$(ldconfig -p | awk '/libnccl.so.2 /{print $NF; exit}')")"
  echo "torch: $(python3 -c 'import torch; print(torch.__version__, "cuda", torch.version.cuda, "nccl", torch.cuda.nccl.version())')"
  echo "cublas: ${cublas:-not found}"
  echo "java: $($JAVA -version 2>&1 | head -1)"
  echo "kernel: $(uname -r)"
} >"$OUT/env.txt" 2>&1
cat "$OUT/env.txt"

echo "== native benchmark"
"$C/ep_bench" --nccl libnccl.so.2 --json "$OUT/native-bench.json" >>"$OUT/logs.txt" 2>&1
echo "ep_bench exit $?"

echo "== PyTorch baseline"
python3 bench/gpu/torch_ep.py >"$OUT/torch-bench.json" 2>>"$OUT/logs.txt"
echo "torch_ep exit $?"

echo "== JVM GPU suites"
timeout 300 "$JAVA" -Dep.gpu.report="$OUT/gpu-checks.txt" -cp "$C/lib/*" org.junit.platform.console.ConsoleLauncher execute \
  --disable-banner --details=tree --include-tag=gpu \
  --select-class=io.epruntime.rank.backend.nccl.NcclBackendGpuTest \
  --select-class=io.epruntime.rank.backend.nccl.HostOverheadGpuTest >"$OUT/junit-gpu.txt" 2>&1
echo "junit exit $?"; grep -E "tests (successful|failed|skipped)" "$OUT/junit-gpu.txt"

echo "== cluster: one node with the nccl backend serving client steps (ep run)"
for spec in "bf16 scale" "fp32 identity" "fp8-e4m3 swiglu"; do
  set -- $spec
  timeout 150 "$JAVA" --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.base/java.util.zip=ALL-UNNAMED \
    -cp "$C/lib/*" io.epruntime.cli.EpCli run --ranks 1 --backend nccl --steps 100 --dtype "$1" --expert-kernel "$2" \
    --run-dir "/tmp/ep-run-$1" >>"$OUT/cluster-run.txt" 2>&1
  echo "ep run --backend nccl --dtype $1 --expert-kernel $2: exit $?" | tee -a "$OUT/cluster-run.txt"
  grep -h -i -E "nccl|gpu|backend" /tmp/ep-run-$1/*.log 2>/dev/null | head -5 >>"$OUT/cluster-run.txt"
done
grep -E "result|steps  " "$OUT/cluster-run.txt"

python3 bench/gpu/report.py --native "$OUT/native-bench.json" --torch "$OUT/torch-bench.json" \
  --checks "$OUT/gpu-checks.txt" --cluster "$OUT/cluster-run.txt" --env "$OUT/env.txt" --command "bash scripts/device/gpu-run.sh" \
  --out "$OUT/gpu-results.json"
