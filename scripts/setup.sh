#!/usr/bin/env bash
# Installs everything Shoal needs on a fresh Debian machine, then the npm packages, then builds.
# Idempotent: re-running it only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v nats-server >/dev/null || need+=(nats-server)
command -v etcd >/dev/null || need+=(etcd-server)
command -v promtool >/dev/null || need+=(prometheus)
command -v dockerd >/dev/null || need+=(docker.io)
# The compose demo (deploy/): docker-compose 1.29, unless the v2 plugin is there.
command -v docker-compose >/dev/null || docker compose version >/dev/null 2>&1 || need+=(docker-compose)
# Benchmark peers: HAProxy for the proxy, wrk to load both.
command -v haproxy >/dev/null || need+=(haproxy)
command -v wrk >/dev/null || need+=(wrk)
# The static busybox the offline images are built from.
[ -x /bin/busybox ] && file -L /bin/busybox 2>/dev/null | grep -q 'statically linked' || need+=(busybox-static)
command -v file >/dev/null || need+=(file)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # Debian starts the packaged daemons; Shoal starts its own.
  for svc in etcd prometheus prometheus-node-exporter docker containerd haproxy; do
    $SUDO systemctl disable --now "$svc" >/dev/null 2>&1 || true
  done
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build --silent
