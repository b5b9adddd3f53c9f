#!/usr/bin/env bash
# `java` on the device machine with the JRE and class path prepare-cluster-bench.sh carried:
#   bash scripts/device/bench-java.sh io.epruntime.bench.cluster.CpuMeshLatency --tokens 1,8
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
carry="$root/.device-carry/cluster-bench"
jre=/tmp/ep-jre
[[ -x "$jre/bin/java" ]] || tar -C /tmp -xJf "$carry/jre.tar.xz"
export PATH="$jre/bin:$PATH" JAVA_HOME="$jre"
exec java ${EP_JAVA_OPTS:-} --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.base/java.util.zip=ALL-UNNAMED \
  -cp "$carry/lib/*" "$@"
