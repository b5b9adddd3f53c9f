#!/usr/bin/env bash
# Builds here what the GPU machine needs (it has no JDK and no Maven) into the git-ignored
# .device-carry/native-ep/: a jlink'd JRE (xz-compressed), the jars of the GPU suites (native-ep's
# jar carries libnative-ep.so), the native benchmark. Then run gpu-run.sh there with
#   carry = [".device-carry/native-ep"]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$root/.device-carry/native-ep"
cd "$root"
mkdir -p "$out/lib"
rm -f "$out"/lib/*.jar

mvn -B -q -o -pl native-ep,rank-actor -am install -DskipTests
mvn -B -q -o -pl rank-actor test-compile jar:test-jar -DskipTests
mvn -B -q -o -pl rank-actor dependency:build-classpath -Dmdep.outputFile=/tmp/ep-gpu-cp.txt -Dmdep.includeScope=test >/dev/null

# Only what the GPU suites load: our modules, JCuda, Pekko actors, Jackson, JUnit's console.
keep='/(ep-[a-z-]+-0\.1\.0-SNAPSHOT\.jar|jcuda-12|jcuda-natives-12|pekko-actor_|pekko-actor-typed_|pekko-slf4j_|scala-library|slf4j-api|config-1|jackson-(core|databind|annotations|dataformat-cbor)|junit-jupiter-(api|params|engine)|junit-platform-(commons|engine)|opentest4j|apiguardian)'
tr ':' '\n' </tmp/ep-gpu-cp.txt | grep -E "$keep" | xargs -I{} cp {} "$out/lib/"
cp rank-actor/target/ep-rank-actor-0.1.0-SNAPSHOT.jar rank-actor/target/ep-rank-actor-0.1.0-SNAPSHOT-tests.jar "$out/lib/"
cp ~/.m2/repository/org/junit/platform/junit-platform-console-standalone/1.14.4/junit-platform-console-standalone-1.14.4.jar "$out/lib/"
# The console launcher bundles JUnit; drop the separate copies so one version is on the path.
rm -f "$out"/lib/junit-jupiter-*.jar "$out"/lib/junit-platform-commons-*.jar "$out"/lib/junit-platform-engine-*.jar \
  "$out"/lib/opentest4j-*.jar "$out"/lib/apiguardian-*.jar

if [[ ! -f "$out/jre.tar.xz" ]]; then
  rm -rf /tmp/ep-jre
  jlink --add-modules java.base,java.logging,java.management,jdk.unsupported,java.naming,java.xml \
    --strip-debug --no-header-files --no-man-pages --compress=2 --output /tmp/ep-jre
  strip --strip-unneeded /tmp/ep-jre/lib/server/libjvm.so /tmp/ep-jre/lib/*.so || true
  tar -C /tmp -cJf "$out/jre.tar.xz" ep-jre
fi

# The native benchmark, built with the same CMake project.
cmake -S native-ep -B /tmp/ep-bench-build -DEP_BUILD_JNI=OFF -DEP_BUILD_BENCH=ON -DEP_CUDA_ARCHS=90 >/dev/null
cmake --build /tmp/ep-bench-build -j 2 --target ep_bench >/dev/null
cp /tmp/ep-bench-build/ep_bench "$out/"
du -sh "$out" "$out"/lib "$out"/jre.tar.xz
