#!/usr/bin/env bash
# Builds here what the cluster latency benchmark needs on the device machine (no JDK, no Maven
# there) into the git-ignored .device-carry/cluster-bench/: a jlink'd JRE (xz), the bench's
# run-time class path less what no node loads (JMH, JUnit, JCuda natives, LMDB/JNR). Run there with
#   carry = [".device-carry/cluster-bench"]
#   bash scripts/device/cluster-bench.sh --tokens 1,8,128 ...
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$root/.device-carry/cluster-bench"
cd "$root"
mkdir -p "$out/lib"
rm -f "$out"/lib/*.jar

mvn -B -q -o -pl bench -am install -Dmaven.test.skip=true
mvn -B -q -o -pl bench dependency:build-classpath -Dmdep.outputFile=/tmp/ep-bench-cp.txt -Dmdep.includeScope=runtime >/dev/null
drop='/(jcuda-natives-|lmdbjava|jnr-|jffi|asm-|junit-|opentest4j|apiguardian|jmh-|jopt-|commons-math3)'
tr ':' '\n' </tmp/ep-bench-cp.txt | grep -v -E "$drop" | xargs -I{} cp {} "$out/lib/"
cp bench/target/ep-bench-0.1.0-SNAPSHOT.jar "$out/lib/"

if [[ ! -f "$out/jre.tar.xz" ]]; then
  if [[ -f .device-carry/native-ep/jre.tar.xz ]]; then
    cp .device-carry/native-ep/jre.tar.xz "$out/"
  else
    rm -rf /tmp/ep-jre
    jlink --add-modules java.base,java.logging,java.management,jdk.unsupported,java.naming,java.xml,jdk.zipfs,jdk.jfr,jdk.management,jdk.naming.dns,java.sql,java.net.http,jdk.crypto.ec \
      --strip-debug --no-header-files --no-man-pages --compress=0 --output /tmp/ep-jre
    strip --strip-unneeded /tmp/ep-jre/lib/server/libjvm.so /tmp/ep-jre/lib/*.so || true
    tar -C /tmp -cf - ep-jre | xz -T2 -6 >"$out/jre.tar.xz"
  fi
fi
du -sh "$out" "$out"/lib "$out"/jre.tar.xz
