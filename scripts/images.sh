#!/usr/bin/env bash
# Builds the images Shoal needs offline, FROM scratch with Debian's static busybox:
#   shoal/pause:3.9       the pod sandbox (owns the pod's network namespace), used in place of
#                         registry.k8s.io/pause:3.9 when no registry is reachable
#   shoal/busybox:1.36    a small userland for examples and tests (sh, httpd, nc, wget, ...)
# Idempotent: an image that exists is left alone unless --force.
set -euo pipefail
cd "$(dirname "$0")/.."
force="${1:-}"
busybox=$(command -v busybox || true)
if [ -z "$busybox" ] || ! file -L "$busybox" 2>/dev/null | grep -q 'statically linked'; then
  busybox=/bin/busybox
fi

build() {
  local tag=$1 dir=$2
  if [ "$force" != "--force" ] && docker image inspect "$tag" >/dev/null 2>&1; then return; fi
  local ctx
  ctx=$(mktemp -d)
  cp -r "images/$dir/." "$ctx/"
  cp "$busybox" "$ctx/busybox"
  docker build -q -t "$tag" "$ctx" >/dev/null
  rm -rf "$ctx"
  echo "built $tag"
}

build shoal/pause:3.9 pause
build shoal/busybox:1.36 busybox
