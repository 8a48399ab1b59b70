#!/usr/bin/env bash
# The Dockerfile, verified on a machine with no container registry: a local base image from debootstrap plus the
# Node binary of the `node` npm package, the Assay image built on it, then the web app, a worker and the model server
# run from it against a private PostgreSQL (Debian's, on the host), until /api/health answers. Last, the browser
# tests' Chromium fallback in a chroot of the same bare Debian (no chromium package). Every step prints ok or FAILED
# with the reason; the summary at the end lists them all. Run as root: sudo scripts/container-smoke.sh
#
#   ASSAY_SMOKE_DIR   work folder (default /var/tmp/assay-smoke; the rootfs is reused when it is already there)
#   ASSAY_SMOKE_KEEP  1 = leave the containers and the PostgreSQL running at the end
set -uo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="${ASSAY_SMOKE_DIR:-/var/tmp/assay-smoke}"
ROOTFS="$WORK/rootfs"
CHROOT="$WORK/chroot"
BASE_IMAGE="localhost/assay-base:bookworm-node20"
IMAGE="localhost/assay:smoke"
PG_PORT="${ASSAY_SMOKE_PG_PORT:-55439}"
WEB_PORT="${ASSAY_SMOKE_WEB_PORT:-3939}"
MODEL_PORT="${ASSAY_SMOKE_MODEL_PORT:-8939}"
PGHOME="$WORK/pg"
PGDATA="$PGHOME/data"
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
SECRET="container-smoke-secret-0123456789"
LOGS="$WORK/logs"
# Podman as root raises RLIMIT_NOFILE to 1048576 and RLIMIT_NPROC in every container; a root without
# CAP_SYS_RESOURCE (these VMs) cannot, and the runtime fails with "setrlimit RLIMIT_NOFILE: Operation not permitted".
# The containers get the host's open-file limit and at most 32768 processes instead (as much as conmon has here).
NOFILE="$(ulimit -Hn)"; [ "$NOFILE" = unlimited ] && NOFILE=1048576
NPROC="$(ulimit -Hu)"; { [ "$NPROC" = unlimited ] || [ "$NPROC" -gt 32768 ]; } && NPROC=32768
ULIMIT=(--ulimit "nofile=$NOFILE:$NOFILE" --ulimit "nproc=$NPROC:$NPROC")
# The OCI runtime: crun (podman's default) unless it cannot run here; choose_runtime() falls back to runc.
RUNTIME=(--runtime crun)
mkdir -p "$WORK" "$LOGS"

declare -a SUMMARY=()
FAILED=0

# step <name> <command…>: runs the command with its output in $LOGS/<name>.log; prints ok (with the last line) or
# FAILED with the last lines of the log.
step() {
  local name="$1"; shift
  local log="$LOGS/$name.log"
  local started=$SECONDS
  printf '== %s … ' "$name"
  if "$@" >"$log" 2>&1; then
    local last; last="$(grep -v '^\s*$' "$log" | tail -1 | cut -c1-160)"
    printf 'ok (%ss)%s\n' "$((SECONDS - started))" "${last:+: $last}"
    SUMMARY+=("ok      $name ($((SECONDS - started)) s)")
    return 0
  fi
  printf 'FAILED (%ss); log %s:\n' "$((SECONDS - started))" "$log"
  tail -15 "$log" | sed 's/^/     | /'
  SUMMARY+=("FAILED  $name: $(grep -v '^\s*$' "$log" | tail -1 | cut -c1-200)")
  FAILED=1
  return 1
}

skip() {
  printf '== %s … skipped (%s)\n' "$1" "$2"
  SUMMARY+=("skipped $1: $2")
}

cleanup() {
  if [ "${ASSAY_SMOKE_KEEP:-0}" != 1 ]; then
    podman rm -f assay-smoke-web assay-smoke-worker assay-smoke-models >/dev/null 2>&1
    podman volume rm -f assay-smoke-models >/dev/null 2>&1
    [ -f "$PGDATA/postmaster.pid" ] && su postgres -s /bin/sh -c "'$PGBIN/pg_ctl' -D '$PGDATA' -m fast stop" >/dev/null 2>&1
  fi
  for mount in "$CHROOT/app" "$CHROOT/dev/shm" "$CHROOT/dev/pts" "$CHROOT/dev" "$CHROOT/proc"; do
    mountpoint -q "$mount" 2>/dev/null && umount -l "$mount"
  done
}
trap cleanup EXIT

# --- tools -------------------------------------------------------------------------------------------------------
install_tools() {
  local missing=()
  command -v podman >/dev/null || missing+=(podman)
  command -v buildah >/dev/null || missing+=(buildah)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  [ -n "$PGBIN" ] || missing+=(postgresql)
  command -v curl >/dev/null || missing+=(curl)
  if [ ${#missing[@]} -eq 0 ]; then echo "podman $(podman --version | cut -d' ' -f3), buildah $(buildah --version | cut -d' ' -f3), debootstrap, PostgreSQL in $PGBIN: already installed"; return 0; fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" || return 1
  PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  echo "installed ${missing[*]}"
}

# --- a minimal Debian bookworm ---------------------------------------------------------------------------------------
debootstrap_rootfs() {
  if [ -x "$ROOTFS/bin/bash" ] && [ -f "$ROOTFS/etc/debian_version" ]; then
    echo "reused $ROOTFS (Debian $(cat "$ROOTFS/etc/debian_version"))"; return 0
  fi
  rm -rf "$ROOTFS"
  debootstrap --variant=minbase --include=ca-certificates bookworm "$ROOTFS" http://deb.debian.org/debian \
    && echo "Debian $(cat "$ROOTFS/etc/debian_version") in $ROOTFS ($(du -sh "$ROOTFS" | cut -f1))"
}

# --- Node from the `node` npm package, npm from this machine's -----------------------------------------------------
add_node() {
  local pkg="$WORK/node-pkg"
  if [ ! -x "$pkg/node_modules/node/bin/node" ]; then
    mkdir -p "$pkg" && (cd "$pkg" && npm install --no-save --no-audit --no-fund --loglevel=error node@20) || return 1
  fi
  local node; node="$(readlink -f "$pkg/node_modules/node/bin/node")"
  file_type="$(head -c 4 "$node" | od -An -c | tr -d ' ')"
  [ "$file_type" = "177ELF" ] || { echo "$node is not an ELF binary ($file_type)"; return 1; }
  cmp -s "$node" "$ROOTFS/usr/local/bin/node" || install -m 0755 "$node" "$ROOTFS/usr/local/bin/node"
  # npm itself is JavaScript: the copy this machine runs (the `node` npm package ships only the binary).
  local npm_dir; npm_dir="$(npm root -g)/npm"
  if ! cmp -s "$npm_dir/package.json" "$ROOTFS/usr/local/lib/node_modules/npm/package.json"; then
    rm -rf "$ROOTFS/usr/local/lib/node_modules/npm" && mkdir -p "$ROOTFS/usr/local/lib/node_modules"
    cp -a "$npm_dir" "$ROOTFS/usr/local/lib/node_modules/npm"
  fi
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"
  echo "node $(chroot "$ROOTFS" /usr/local/bin/node -v), npm $(chroot "$ROOTFS" /usr/local/bin/node /usr/local/bin/npm -v) in the rootfs"
}

import_base() {
  # Imported again only when the rootfs changed: a new base image id would rebuild every stage of the Dockerfile.
  local stamp; stamp="$( (cat "$ROOTFS/etc/debian_version"; sha256sum "$ROOTFS/usr/local/bin/node"; cat "$ROOTFS/usr/local/lib/node_modules/npm/package.json") | sha256sum | cut -c1-16)"
  if [ "$(podman image inspect "$BASE_IMAGE" --format '{{index .Labels "assay.base-stamp"}}' 2>/dev/null)" = "$stamp" ]; then
    echo "reused $BASE_IMAGE (same rootfs, stamp $stamp)"; return 0
  fi
  podman rmi -f "$BASE_IMAGE" >/dev/null 2>&1
  tar -C "$ROOTFS" --exclude=./proc/* --exclude=./sys/* --exclude=./dev/* -c . \
    | podman import --change 'CMD ["/bin/bash"]' --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change "LABEL assay.base-stamp=$stamp" - "$BASE_IMAGE" \
    && podman image inspect "$BASE_IMAGE" --format "imported $BASE_IMAGE ({{.Size}} bytes)"
}

# crun 1.8 (bookworm's) refuses a hybrid cgroup layout whose cgroup2 mount has controllers ("cgroups in hybrid mode
# not supported, drop all controllers from cgroupv2"), which is what these VMs have; runc runs there.
choose_runtime() {
  local probe='console.log(`node ${process.version} runs in the base image (${process.platform})`)'
  if podman --runtime crun run --rm "${ULIMIT[@]}" --network host "$BASE_IMAGE" node -e "$probe" 2>"$LOGS/crun-probe.err"; then
    echo "runtime crun"; return 0
  fi
  echo "crun cannot run containers here: $(tail -1 "$LOGS/crun-probe.err")"
  command -v runc >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq runc >/dev/null || return 1
  podman --runtime runc run --rm "${ULIMIT[@]}" --network host "$BASE_IMAGE" node -e "$probe" || return 1
  RUNTIME=(--runtime runc)
  echo "using runtime runc ($(runc --version | head -1))"
}

build_image() {
  # --network host: the build stages run `npm ci` against the npm registry; --format docker keeps the HEALTHCHECK.
  # A machine whose HTTPS goes through a TLS-inspecting proxy trusts its CA through NODE_EXTRA_CA_CERTS (this one
  # does: without it npm ci hangs on "self-signed certificate in certificate chain"); the build sees the same file,
  # mounted read-only for the RUN steps, not copied into a layer.
  local ca=()
  if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
    ca=(-v "$NODE_EXTRA_CA_CERTS:/run/assay-build-ca.crt:ro" --build-arg NODE_EXTRA_CA_CERTS=/run/assay-build-ca.crt)
    echo "build trusts the CA bundle in NODE_EXTRA_CA_CERTS"
  fi
  podman "${RUNTIME[@]}" build "${ULIMIT[@]}" "${ca[@]}" --pull=never --network host --format docker --build-arg "BASE=$BASE_IMAGE" -t "$IMAGE" -f "$ROOT/Dockerfile" "$ROOT" \
    && podman image inspect "$IMAGE" --format 'image {{.Id}}: {{.Size}} bytes'
}

inspect_image() {
  local user healthcheck
  user="$(podman "${RUNTIME[@]}" run --rm "${ULIMIT[@]}" --entrypoint id "$IMAGE" -u)" || return 1
  echo "node_modules: $(podman "${RUNTIME[@]}" run --rm "${ULIMIT[@]}" --entrypoint du "$IMAGE" -sh node_modules | cut -f1)"
  [ "$user" != 0 ] || { echo "the image runs as root"; return 1; }
  # devDependencies no production dependency needs (vitest and @types/react are there: better-auth and react-markdown
  # depend on them)
  podman "${RUNTIME[@]}" run --rm "${ULIMIT[@]}" --entrypoint sh "$IMAGE" -c 'test ! -e node_modules/playwright-core && test ! -e node_modules/@sparticuz/chromium && test ! -e node_modules/smtp-server && test ! -e node_modules/@tailwindcss/postcss' \
    || { echo "devDependencies (playwright-core, @sparticuz/chromium, smtp-server or @tailwindcss/postcss) are in the final image"; return 1; }
  podman "${RUNTIME[@]}" run --rm "${ULIMIT[@]}" --entrypoint sh "$IMAGE" -c 'test -f .next/BUILD_ID && test -f .next/assay-build-hash && test -d lib/generated/prisma && test -d prisma/migrations && test -d node_modules/@node-llama-cpp && test -d node_modules/koffi' \
    || { echo "the image lacks the build, the generated client, the migrations, node-llama-cpp's binaries or koffi"; return 1; }
  healthcheck="$(podman image inspect "$IMAGE" --format '{{json .HealthCheck.Test}}' 2>/dev/null || podman image inspect "$IMAGE" --format '{{json .Config.Healthcheck.Test}}')"
  case "$healthcheck" in *api/health*) ;; *) echo "no HEALTHCHECK on /api/health (got $healthcheck)"; return 1 ;; esac
  echo "runs as uid $user; no devDependencies; build, client, migrations, node-llama-cpp, koffi present; healthcheck $healthcheck"
}

start_postgres() {
  rm -rf "$PGHOME" && mkdir -p "$PGHOME" && chown postgres:postgres "$PGHOME" || return 1
  su postgres -s /bin/sh -c "'$PGBIN/initdb' -D '$PGDATA' -U assay --auth=trust -E UTF8 >/dev/null" || return 1
  su postgres -s /bin/sh -c "'$PGBIN/pg_ctl' -D '$PGDATA' -o '-p $PG_PORT -k $PGHOME -c listen_addresses=127.0.0.1' -l '$PGHOME/server.log' -w start >/dev/null" || return 1
  su postgres -s /bin/sh -c "'$PGBIN/createdb' -h 127.0.0.1 -p $PG_PORT -U assay assay" || return 1
  echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') (Debian's) on 127.0.0.1:$PG_PORT"
}

DATABASE_URL="postgresql://assay@127.0.0.1:$PG_PORT/assay"

run_web() {
  podman rm -f assay-smoke-web >/dev/null 2>&1
  podman volume create assay-smoke-models >/dev/null 2>&1
  # Host networking: the containers and the host's PostgreSQL meet on loopback. Runs go to the worker container.
  podman "${RUNTIME[@]}" run -d "${ULIMIT[@]}" --name assay-smoke-web --network host -v assay-smoke-models:/data/models \
    -e DATABASE_URL="$DATABASE_URL" -e ASSAY_SECRET="$SECRET" -e PORT="$WEB_PORT" -e ASSAY_MODEL_PORT="$MODEL_PORT" -e ASSAY_WORKER=off \
    "$IMAGE" start --no-model-server --host 127.0.0.1 --port "$WEB_PORT" || return 1
  local deadline=$((SECONDS + 240))
  while [ $SECONDS -lt $deadline ]; do
    if [ "$(podman inspect -f '{{.State.Running}}' assay-smoke-web 2>/dev/null)" != true ]; then
      echo "the web container stopped:"; podman logs assay-smoke-web 2>&1 | tail -20; return 1
    fi
    if body="$(curl -fsS "http://127.0.0.1:$WEB_PORT/api/health" 2>/dev/null)"; then
      podman logs assay-smoke-web 2>&1 | grep -E 'ready|Seeded|Build' | tail -3
      echo "/api/health after $((SECONDS - ${1:-0}))s: $body"; return 0
    fi
    sleep 2
  done
  echo "/api/health did not answer within 240 s"; podman logs assay-smoke-web 2>&1 | tail -20; return 1
}

healthcheck_web() {
  podman "${RUNTIME[@]}" healthcheck run assay-smoke-web && echo "the image's HEALTHCHECK passes in the running container ($(podman inspect -f '{{.State.Health.Status}}' assay-smoke-web 2>/dev/null || echo checked))"
}

run_models() {
  podman rm -f assay-smoke-models >/dev/null 2>&1
  podman "${RUNTIME[@]}" run -d "${ULIMIT[@]}" --name assay-smoke-models --network host -v assay-smoke-models:/data/models \
    -e DATABASE_URL="$DATABASE_URL" -e ASSAY_SECRET="$SECRET" \
    "$IMAGE" serve-model --host 127.0.0.1 --port "$MODEL_PORT" --models-dir /data/models || return 1
  local deadline=$((SECONDS + 90))
  while [ $SECONDS -lt $deadline ]; do
    if models="$(curl -fsS "http://127.0.0.1:$MODEL_PORT/v1/models" 2>/dev/null)"; then
      echo "/v1/models: $(echo "$models" | cut -c1-200)"
      echo "$models" | grep -q '"id"' || { echo "the model server lists no model"; return 1; }
      return 0
    fi
    [ "$(podman inspect -f '{{.State.Running}}' assay-smoke-models 2>/dev/null)" = true ] || { podman logs assay-smoke-models 2>&1 | tail -20; return 1; }
    sleep 1
  done
  echo "the model server did not answer within 90 s"; podman logs assay-smoke-models 2>&1 | tail -20; return 1
}

run_worker() {
  podman rm -f assay-smoke-worker >/dev/null 2>&1
  podman "${RUNTIME[@]}" run -d "${ULIMIT[@]}" --name assay-smoke-worker --network host -e DATABASE_URL="$DATABASE_URL" -e ASSAY_SECRET="$SECRET" \
    -e ASSAY_MODEL_PORT="$MODEL_PORT" "$IMAGE" worker || return 1
  local deadline=$((SECONDS + 90))
  while [ $SECONDS -lt $deadline ]; do
    if podman logs assay-smoke-worker 2>&1 | grep -q 'ready'; then podman logs assay-smoke-worker 2>&1 | grep ready; return 0; fi
    [ "$(podman inspect -f '{{.State.Running}}' assay-smoke-worker 2>/dev/null)" = true ] || { podman logs assay-smoke-worker 2>&1 | tail -20; return 1; }
    sleep 1
  done
  echo "the worker did not say ready within 90 s"; podman logs assay-smoke-worker 2>&1 | tail -20; return 1
}

# A suite run inside a container: `assay eval` (the run engine and its results in PostgreSQL) against the model
# server container (node-llama-cpp on the demo n-gram model).
eval_in_container() {
  mkdir -p "$WORK/eval" && cat >"$WORK/eval/suite.yaml" <<SUITE
name: container-smoke
prompts:
  - label: echo
    messages:
      - role: user
        content: "Say {{ word }}"
targets:
  - label: local
    baseURL: http://127.0.0.1:$MODEL_PORT/v1
    apiKeyEnv: LOCAL_KEY
    model: assay-ngram-demo
    params: { temperature: 0, maxTokens: 8 }
assertions:
  - type: latency
    threshold: 60000
cases:
  - key: one
    variables: { word: one }
  - key: two
    variables: { word: two }
  - key: three
    variables: { word: three }
SUITE
  podman "${RUNTIME[@]}" run --rm "${ULIMIT[@]}" --network host -v "$WORK/eval:/eval:ro" \
    -e DATABASE_URL="$DATABASE_URL" -e ASSAY_SECRET="$SECRET" -e LOCAL_KEY=none -e ASSAY_MODEL_PORT="$MODEL_PORT" \
    "$IMAGE" eval /eval/suite.yaml || return 1
  echo "assay eval in a container: 3 cases against the model server container, exit 0"
}

# --- the browser tests' Chromium in a bare Debian -------------------------------------------------------------------
chroot_chromium() {
  rm -rf "$CHROOT" && cp -a "$ROOTFS" "$CHROOT" || return 1
  if chroot "$CHROOT" dpkg -s chromium >/dev/null 2>&1 || [ -e "$CHROOT/usr/bin/chromium" ]; then
    echo "the chroot has a chromium package: not a machine without one"; return 1
  fi
  echo "chroot $CHROOT: no chromium package, no /usr/bin/chromium, $(chroot "$CHROOT" dpkg-query -W | wc -l) Debian packages"
  mkdir -p "$CHROOT/app" && mount --bind "$ROOT" "$CHROOT/app" && mount -o remount,bind,ro "$CHROOT/app" || return 1
  mount -t proc proc "$CHROOT/proc" && mount --bind /dev "$CHROOT/dev" && mount --bind /dev/pts "$CHROOT/dev/pts" || return 1
  mountpoint -q /dev/shm && mount --bind /dev/shm "$CHROOT/dev/shm"
  chroot "$CHROOT" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root TMPDIR=/tmp \
    /usr/local/bin/node /app/node_modules/tsx/dist/cli.mjs /app/scripts/browser-check.ts /tmp/browser-check.png || return 1
  mkdir -p "$ROOT/test/artifacts" 2>/dev/null && cp "$CHROOT/tmp/browser-check.png" "$WORK/browser-check-chroot.png" && echo "screenshot copied to $WORK/browser-check-chroot.png"
}

echo "Assay container smoke test: $(date -u +%FT%TZ), kernel $(uname -r), work folder $WORK"
STARTED=$SECONDS
step tools install_tools || { echo "cannot continue without podman/debootstrap"; exit 1; }
if step debootstrap debootstrap_rootfs && step node add_node; then
  if step base-image import_base && step runtime choose_runtime && step build-image build_image; then
    step image-contents inspect_image
    if step postgres start_postgres; then
      WEB_STARTED=$SECONDS
      if step web run_web "$WEB_STARTED"; then
        step healthcheck healthcheck_web
        step model-server run_models
        step worker run_worker
        step eval-in-container eval_in_container
      else
        skip model-server "the web container did not become healthy"; skip worker "the web container did not become healthy"
      fi
    fi
  fi
  step chromium-in-chroot chroot_chromium
fi

echo
echo "Summary ($((SECONDS - STARTED)) s; logs in $LOGS):"
printf '  %s\n' "${SUMMARY[@]}"
exit $FAILED
