#!/usr/bin/env bash
# Builds here what the GPU machine needs (it has no JDK and no Maven) into the git-ignored
# .device-carry/native-ep/: a jlink'd JRE (xz-compressed), the jars of the GPU suites (native-ep's
# jar carries libnative-ep.so), the native benchmark. Then run peer-run.sh there with
#   carry = [".device-carry/native-ep"]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$root/.device-carry/native-ep"
cd "$root"
mkdir -p "$out/lib"
rm -f "$out"/lib/*.jar

mvn -B -q -o -pl native-ep,rank-actor,cli -am install -DskipTests -Dnative.cuda.archs="${EP_CUDA_ARCHS:-90}"
mvn -B -q -o -pl rank-actor,tests test-compile jar:test-jar -DskipTests
mvn -B -q -o -pl cli dependency:build-classpath -Dmdep.outputFile=/tmp/ep-cli-cp.txt -Dmdep.includeScope=runtime >/dev/null

# The CLI's run-time class path (a node with the nccl backend in a cluster, and the client) plus
# the GPU suites, less what neither loads: JCuda's runtime natives (only the driver library is
# kept), LMDB/JNR (durable distributed data, unused), the separate JUnit jars (the console has them).
drop='/(jcuda-natives-|lmdbjava|jnr-|jffi|asm-|junit-|opentest4j|apiguardian)'
tr ':' '\n' </tmp/ep-cli-cp.txt | grep -v -E "$drop" | xargs -I{} cp {} "$out/lib/"
cp rank-actor/target/ep-rank-actor-0.1.0-SNAPSHOT-tests.jar tests/target/ep-tests-0.1.0-SNAPSHOT-tests.jar \
  cli/target/ep-cli-0.1.0-SNAPSHOT.jar "$out/lib/"
cp ~/.m2/repository/org/junit/platform/junit-platform-console-standalone/1.14.4/junit-platform-console-standalone-1.14.4.jar "$out/lib/"
rm -rf /tmp/ep-jcuda-slim && mkdir -p /tmp/ep-jcuda-slim/lib
unzip -q -o ~/.m2/repository/org/jcuda/jcuda-natives/12.6.0/jcuda-natives-12.6.0-linux-x86_64.jar \
  'lib/libJCudaDriver-12.6.0-linux-x86_64.so' -d /tmp/ep-jcuda-slim
(cd /tmp/ep-jcuda-slim && jar cf "$out/lib/jcuda-driver-natives-12.6.0-linux-x86_64.jar" lib)

if [[ ! -f "$out/jre.tar.xz" ]]; then
  rm -rf /tmp/ep-jre
  # Uncompressed modules, then xz over everything: smaller than jlink's own compression.
  jlink --add-modules java.base,java.logging,java.management,jdk.unsupported,java.naming,java.xml,jdk.zipfs,jdk.jfr,jdk.management,jdk.naming.dns,java.sql,jdk.crypto.ec \
    --strip-debug --no-header-files --no-man-pages --compress=0 --output /tmp/ep-jre
  strip --strip-unneeded /tmp/ep-jre/lib/server/libjvm.so /tmp/ep-jre/lib/*.so || true
  tar -C /tmp -cf - ep-jre | xz -T2 -6 >"$out/jre.tar.xz"
fi

# The native benchmark, built with the same CMake project.
cmake -S native-ep -B /tmp/ep-bench-build -DEP_BUILD_JNI=OFF -DEP_BUILD_BENCH=ON -DEP_CUDA_ARCHS=90 >/dev/null
cmake --build /tmp/ep-bench-build -j 2 --target ep_bench >/dev/null
cp /tmp/ep-bench-build/ep_bench "$out/"
du -sh "$out" "$out"/lib "$out"/jre.tar.xz
