#!/usr/bin/env bash
# Whether a node's memory outside the heap grows without bound under steady load: runs ep run for
# many steps and samples, every INTERVAL seconds, every rank process's RSS (with its anonymous and
# shared-memory parts), its JVM's native memory (NMT summary, committed), the /dev/shm its Aeron
# directory takes, and its open file descriptors. Prints one JSON object: machine, date, command, samples.
#   scripts/rss-soak.sh STEPS INTERVAL > bench/results/node-memory-<host>-<date>.json
set -euo pipefail
steps=${1:-40000}
interval=${2:-30}
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
cmd="./ep run --steps $steps --jvm-opt=-XX:NativeMemoryTracking=summary"
(cd "$root" && $cmd >"$out/run.txt" 2>&1; echo "exit $?" >>"$out/run.txt") &
run=$!
start=$(date +%s)
samples=()
while kill -0 "$run" 2>/dev/null; do
  sleep "$interval"
  for pid in $(pgrep -f 'io.epruntime.cli.EpCli node' || true); do
    rank=$(tr '\0' ' ' </proc/$pid/cmdline 2>/dev/null | grep -o -- '-Dep.node.rank=[0-9]*' | cut -d= -f2 || true)
    [[ -z "$rank" ]] && continue
    rss=$(awk '/VmRSS/{print $2}' /proc/$pid/status 2>/dev/null || echo 0)
    anon=$(awk '/RssAnon/{print $2}' /proc/$pid/status 2>/dev/null || echo 0)
    shmem=$(awk '/RssShmem/{print $2}' /proc/$pid/status 2>/dev/null || echo 0)
    aeron=$(du -sk /dev/shm/ep-aeron-"$pid"-* 2>/dev/null | awk '{s+=$1} END {print s+0}')
    fds=$(ls /proc/$pid/fd 2>/dev/null | wc -l)
    nmt=$(jcmd "$pid" VM.native_memory summary 2>/dev/null | awk -F'committed=' '/^Total/{split($2,a,"KB"); print a[1]}' || true)
    heap=$(jcmd "$pid" VM.native_memory summary 2>/dev/null | awk -F'committed=' '/- *Java Heap/{split($2,a,"KB"); print a[1]}' || true)
    samples+=("{\"t_s\":$(( $(date +%s) - start )),\"rank\":$rank,\"rss_kb\":$rss,\"rss_anon_kb\":$anon,\"rss_shmem_kb\":$shmem,\"aeron_dir_kb\":$aeron,\"fds\":$fds,\"nmt_committed_kb\":${nmt:-null},\"heap_committed_kb\":${heap:-null}}")
  done
done
summary=$(grep -E "steps/s|result" "$out/run.txt" | tr '\n' ' ' | sed 's/"/\\"/g')
printf '{"machine":"%s, %s cores","date":"%s","command":"scripts/rss-soak.sh %s %s (%s)","run":"%s","samples":[%s]}\n' \
  "$(uname -n)" "$(nproc)" "$(date -u +%FT%TZ)" "$steps" "$interval" "$cmd" "$summary" "$(IFS=,; echo "${samples[*]}")"
