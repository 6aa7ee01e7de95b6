#!/usr/bin/env bash
# Builds every image the compose demo needs, on the local Docker:
#   shoal/shoal:dev                 the Shoal services (the repo's Dockerfile)
#   shoal/demo-app:v1, :v2          the demo app, an HTTP server that reports its version
#   shoal/pause:3.9                 the pod sandbox (scripts/images.sh)
# With --offline (a machine that reaches no container registry), first the bases, made from
# this machine's own binaries (Debian's packages) FROM scratch, and the images are built on
# them instead of the official ones:
#   shoal/node-base:20              Node.js and npm      (instead of node:20-bookworm-slim)
#   shoal/nats:local                nats-server          (instead of nats:2.10-alpine)
#   shoal/prometheus:local          Prometheus           (instead of prom/prometheus)
# Grafana has no Debian package: offline, the demo runs without it.
# The Shoal image packages the host's build: run `npm ci && npm run build` (scripts/setup.sh)
# first. Prints the compose environment for the images it built (NODE_BASE_IMAGE=...).
set -euo pipefail
cd "$(dirname "$0")/.."

offline=0
for arg in "$@"; do
  case "$arg" in
    --offline) offline=1 ;;
    *) echo "usage: $0 [--offline]" >&2; exit 2 ;;
  esac
done

[ -f dist/cli/main.js ] || { echo "dist/ is missing: run npm ci && npm run build first" >&2; exit 1; }

# The temporary build contexts, removed however the script ends.
contexts=()
trap 'rm -rf "${contexts[@]}"' EXIT

# rootfs DIR FILE...: copies each file, and every shared library it links, into DIR at the
# same paths.
rootfs() {
  local dir=$1; shift
  local f lib
  for f in "$@"; do
    mkdir -p "$dir$(dirname "$f")"
    cp -L "$f" "$dir$f"
    for lib in $(ldd "$f" 2>/dev/null | grep -o '/[^ ]*' || true); do
      mkdir -p "$dir$(dirname "$lib")"
      cp -L "$lib" "$dir$lib"
    done
  done
}

# base TAG FILE...: a FROM scratch image of these binaries, their libraries and busybox.
base() {
  local tag=$1; shift
  local ctx
  ctx=$(mktemp -d)
  contexts+=("$ctx")
  rootfs "$ctx/rootfs" "$@"
  mkdir -p "$ctx/rootfs/bin" "$ctx/rootfs/usr/bin" "$ctx/rootfs/tmp" "$ctx/rootfs/etc"
  chmod 1777 "$ctx/rootfs/tmp"
  cp -L "$(busybox_path)" "$ctx/rootfs/bin/busybox"
  # Scripts' `#!/usr/bin/env node` (npm's own).
  ln -s /bin/busybox "$ctx/rootfs/usr/bin/env"
  echo 'root:x:0:0:root:/root:/bin/sh' >"$ctx/rootfs/etc/passwd"
  echo 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >>"$ctx/rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$ctx/rootfs/etc/group"
  [ -n "${extra:-}" ] && eval "$extra"
  cp deploy/images/rootfs/Dockerfile "$ctx/Dockerfile"
  build -t "$tag" "$ctx"
  echo "built $tag" >&2
}

# docker build, quiet; its output only when it fails (the legacy builder's deprecation notice
# is not worth showing on every build).
build() {
  local out
  if ! out=$(docker build -q "$@" 2>&1); then
    echo "$out" >&2
    return 1
  fi
}

busybox_path() {
  local b
  b=$(command -v busybox || true)
  if [ -n "$b" ] && file -L "$b" 2>/dev/null | grep -q 'statically linked'; then echo "$b"; else echo /bin/busybox; fi
}

node_base=node:20-bookworm-slim
env_out=()
if [ "$offline" = 1 ]; then
  node_bin=$(command -v node)
  npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  # Node.js at /usr/local/bin/node and npm at /usr/local/lib/node_modules/npm, as in the
  # official image.
  extra='mkdir -p "$ctx/rootfs/usr/local/bin" "$ctx/rootfs/usr/local/lib/node_modules";
    [ "$node_bin" = /usr/local/bin/node ] || mv "$ctx/rootfs$node_bin" "$ctx/rootfs/usr/local/bin/node";
    cp -r "$npm_dir" "$ctx/rootfs/usr/local/lib/node_modules/npm";
    ln -s ../lib/node_modules/npm/bin/npm-cli.js "$ctx/rootfs/usr/local/bin/npm"' \
    base shoal/node-base:20 "$node_bin"
  extra='' base shoal/nats:local "$(command -v nats-server)"
  extra='mkdir -p "$ctx/rootfs/prometheus" "$ctx/rootfs/etc/prometheus"' base shoal/prometheus:local "$(command -v prometheus)"
  node_base=shoal/node-base:20
  env_out+=(NODE_BASE_IMAGE=shoal/node-base:20 NATS_IMAGE=shoal/nats:local PROMETHEUS_IMAGE=shoal/prometheus:local)
fi

build --build-arg "BASE_IMAGE=$node_base" -t shoal/shoal:dev .
echo "built shoal/shoal:dev (on $node_base)" >&2
for v in v1 v2; do
  build --build-arg "BASE_IMAGE=$node_base" --build-arg "VERSION=$v" -t "shoal/demo-app:$v" deploy/demo-app
  echo "built shoal/demo-app:$v" >&2
done
bash scripts/images.sh >&2
printf '%s\n' "${env_out[@]}"
