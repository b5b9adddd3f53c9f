#!/usr/bin/env bash
# Builds the ep-runtime node image with no image registry reachable (no FROM, no pull):
# a jlink'd JRE plus the few glibc/libstdc++/zlib files it links against, /bin/sh (dash) for the
# entry point script, a non-root user, and the application's runtime class path.
#
#   deploy/image/build.sh [--tag ep-runtime:dev]
#
# Inputs: the runtime class path in cli/target/lib plus cli/target/ep-cli-*.jar (made by
# `mvn -pl cli -am package`; built here if missing), or any directory given in EP_APP_LIB.
# Idempotent: the image carries a hash of its context and is rebuilt only when that changes.
# Prints one line, "image: OK ..." or "image: FAILED ...", and exits non-zero on failure.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tag="ep-runtime:dev"
while [ $# -gt 0 ]; do
  case "$1" in
    --tag) tag="$2"; shift 2 ;;
    *) echo "image: FAILED: unknown argument '$1' (allowed: --tag NAME:TAG)" >&2; exit 2 ;;
  esac
done

work="$here/target"
ctx="$work/context"
buildlog="$work/build.log"
mkdir -p "$work"
# One build at a time per checkout (tests and people may start it concurrently): they share target/.
exec 9>"$work/.lock"
flock 9
: >"$buildlog"
fail() { echo "image: FAILED: $* (log: $buildlog)" >&2; exit 1; }
trap 'fail "command failed at line $LINENO"' ERR

jdk="${EP_JDK:-/usr/lib/jvm/java-17-openjdk-amd64}"
[ -f "$jdk/jmods/java.base.jmod" ] || fail "no jmods in $jdk (Debian: apt-get install openjdk-17-jdk-headless; or set EP_JDK)"
command -v docker >/dev/null || fail "no docker client on PATH (run .ci/docker-up.sh first)"

# --- 1. Application class path -------------------------------------------------------------------
lib="${EP_APP_LIB:-}"
if [ -z "$lib" ]; then
  if ! ls "$root"/cli/target/ep-cli-*.jar >/dev/null 2>&1 || [ ! -d "$root/cli/target/lib" ]; then
    (cd "$root" && mvn -B -q -pl cli -am package -DskipTests) >>"$buildlog" 2>&1 \
      || fail "mvn -pl cli -am package failed"
  fi
  lib="$work/app-lib"
  rm -rf "$lib" && mkdir -p "$lib"
  cp "$root"/cli/target/lib/*.jar "$lib"/
  cp "$root"/cli/target/ep-cli-*.jar "$lib"/
  rm -f "$lib"/*-sources.jar "$lib"/*-javadoc.jar "$lib"/*-tests.jar
fi
ls "$lib"/*.jar >/dev/null 2>&1 || fail "no jars in $lib"

# --- 2. JRE (jlink; rebuilt only when the module list changes) ------------------------------------
# A fixed, generous module list rather than jdeps: Pekko, Scala and Jackson load much by reflection.
modules="java.base,java.logging,java.management,java.naming,java.net.http,java.sql,java.xml,java.desktop,\
java.instrument,java.security.jgss,jdk.unsupported,jdk.management,jdk.management.agent,jdk.crypto.ec,\
jdk.naming.dns,jdk.zipfs,jdk.jfr,jdk.localedata"
jre="$work/jre"
if [ "$(cat "$work/jre.modules" 2>/dev/null)" != "$modules" ]; then
  rm -rf "$jre"
  "$jdk/bin/jlink" --module-path "$jdk/jmods" --add-modules "$modules" --include-locales=en \
    --strip-debug --no-man-pages --no-header-files --compress=2 --output "$jre" >>"$buildlog" 2>&1
  echo "$modules" >"$work/jre.modules"
fi

# --- 3. Context: system files, JRE, class path, entry point --------------------------------------
rm -rf "$ctx"
mkdir -p "$ctx/sys/bin" "$ctx/sys/etc" "$ctx/sys/tmp" "$ctx/sys/dev/shm" "$ctx/bin" "$ctx/lib"
cp -a "$jre" "$ctx/jre"
cp "$lib"/*.jar "$ctx/lib/"
# The entry point runs the CLI's `ep node`; a build whose CLI has no EpCli yet runs the node main
# directly (it ignores the `node` argument), and says so.
main="io.epruntime.cli.EpCli"
listing="$("$jdk/bin/jar" tf "$(ls "$lib"/ep-cli-*.jar | head -1)" 2>/dev/null || true)"
case "$listing" in
  *io/epruntime/cli/EpCli.class*) ;;
  *) main="io.epruntime.coordinator.NodeMain" ;;
esac
sed "s/EP_MAIN_CLASS:-io.epruntime.cli.EpCli/EP_MAIN_CLASS:-$main/" "$here/ep" >"$ctx/bin/ep"
chmod 0755 "$ctx/bin/ep"
# An explicit class path, ep-runtime's jars first: Typesafe Config merges the reference.conf files
# in class path order, and ours override some of Pekko's defaults (a /app/lib/* wildcard would
# take the directory's order, which is arbitrary).
{
  printf -- '-cp '
  (cd "$ctx/lib" && { ls ep-*.jar 2>/dev/null; ls | grep -v '^ep-'; } | sed 's|^|/app/lib/|' | paste -sd:)
} >"$ctx/bin/classpath.args"
install -m 0755 /bin/dash "$ctx/sys/bin/sh"

# /lib and /lib64 are symlinks into /usr on merged-/usr Debian: recreate them first, so that the
# libraries copied below land under /usr and the ELF interpreter path (/lib64/ld-linux...) resolves.
for l in /lib /lib64; do
  if [ -L "$l" ]; then mkdir -p "$ctx/sys/$(readlink "$l")"; ln -s "$(readlink "$l")" "$ctx/sys$l"; fi
done
# Shared objects the JVM and the shell link against, found by ldd, copied at the paths the build
# machine has them (with the symlinks that name them).
binaries=("$ctx/sys/bin/sh" "$jre/bin/java" "$jre/lib/server/libjvm.so" "$jre/lib/jspawnhelper")
for so in java nio net zip jimage verify management management_ext extnet jli prefs j2pkcs11 jaas; do
  if [ -f "$jre/lib/lib$so.so" ]; then binaries+=("$jre/lib/lib$so.so"); fi
done
for f in "${binaries[@]}"; do
  LD_LIBRARY_PATH="$jre/lib:$jre/lib/server" ldd "$f" | awk '/=> \//{print $3} /^\t\/lib/{print $1}'
done | sort -u | while read -r so; do
  case "$so" in "$jre"/*) continue ;; esac
  for p in "$so" "$(readlink -f "$so")"; do
    mkdir -p "$ctx/sys$(dirname "$p")"
    cp -a "$p" "$ctx/sys$p"
  done
done

cat >"$ctx/sys/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/sbin/nologin
ep:x:10001:10001:ep-runtime node:/tmp:/sbin/nologin
PASSWD
cat >"$ctx/sys/etc/group" <<'GROUP'
root:x:0:
ep:x:10001:
GROUP
echo "hosts: files dns" >"$ctx/sys/etc/nsswitch.conf"
chmod 1777 "$ctx/sys/tmp" "$ctx/sys/dev/shm"
cp "$here/Dockerfile" "$ctx/Dockerfile"

# --- 4. Image (skipped when an image with this exact context exists) -----------------------------
hash="$(cd "$ctx" && { find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum; find . -type l -printf '%p -> %l\n' | LC_ALL=C sort; } | sha256sum | cut -c1-16)"
if [ "$(docker image inspect -f '{{index .Config.Labels "io.epruntime.context-hash"}}' "$tag" 2>/dev/null)" = "$hash" ]; then
  echo "image: OK: $tag is up to date (context $hash)"
  exit 0
fi
DOCKER_BUILDKIT=0 docker build --network=none --label "io.epruntime.context-hash=$hash" -t "$tag" "$ctx" >>"$buildlog" 2>&1 \
  || fail "docker build failed"
# The image must at least start its JVM as the non-root user with nothing writable but /tmp.
docker run --rm --read-only --tmpfs /tmp --network=none --entrypoint /app/jre/bin/java "$tag" -version >>"$buildlog" 2>&1 \
  || fail "the built image cannot run java -version"
# Earlier builds of this tag are now untagged: drop them (only ours, by label) so disk use stays flat.
docker image prune -f --filter "label=io.epruntime.context-hash" >>"$buildlog" 2>&1 || true
size="$(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%d MB", $1/1e6}')"
echo "image: OK: built $tag ($size, context $hash, $(ls "$ctx/lib" | wc -l) jars, entry point ep node -> $main)"
