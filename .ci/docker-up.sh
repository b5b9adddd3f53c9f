#!/usr/bin/env bash
# Makes a Docker engine available for the container suites, on a fresh CI machine or a dev box.
#
#   bash .ci/docker-up.sh        # idempotent: reuses a running engine, else installs and starts one
#
# A fresh machine (Debian, root, no registry reachable) gets Debian's docker.io and a dockerd with
# the flags that work inside these sandboxes: vfs storage (no overlayfs in a container), no
# iptables, no default bridge (user-defined networks, which the tests use, still get DNS aliases).
# It prints one line, "docker-up: OK ..." or "docker-up: FAILED ...", and exits non-zero on failure
# so that CI fails instead of letting the container suites skip.
set -uo pipefail

log=/tmp/ep-dockerd.log
wait_s="${EP_DOCKER_WAIT_S:-90}"

fail() { echo "docker-up: FAILED: $*" >&2; exit 1; }

engine_version() { docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})' 2>/dev/null; }

if v="$(engine_version)" && [ -n "$v" ]; then
  echo "docker-up: OK: using the running Docker engine $v"
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || fail "no Docker engine running and not root: cannot install docker.io"
  command -v apt-get >/dev/null || fail "no Docker engine and no apt-get to install Debian's docker.io"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io; } \
    >/tmp/ep-docker-install.log 2>&1 || fail "apt-get install docker.io failed; see /tmp/ep-docker-install.log"
fi
command -v docker >/dev/null 2>&1 || fail "dockerd is installed but the docker client is not on PATH"

# Only start a daemon when none is running (a second dockerd on the same socket would fail anyway).
if ! pgrep -x dockerd >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || fail "dockerd is not running and starting it needs root"
  nohup dockerd --storage-driver=vfs --iptables=false --bridge=none >"$log" 2>&1 &
fi

deadline=$((SECONDS + wait_s))
until v="$(engine_version)" && [ -n "$v" ]; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    tail -n 20 "$log" >&2 2>/dev/null
    fail "the Docker engine did not answer within ${wait_s}s; dockerd log: $log"
  fi
  sleep 1
done
echo "docker-up: OK: started Docker engine $v (vfs storage, log $log)"
