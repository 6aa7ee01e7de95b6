#!/usr/bin/env bash
# The main job: set up (idempotent), start the embedded cluster, apply the example app.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
dockerd_pid=$(bash scripts/dockerd.sh start)
bash scripts/images.sh
DATA_DIR="${SHOAL_DATA_DIR:-$HOME/.shoal/data}"
node bin/shoal.js up --data-dir "$DATA_DIR" "$@" &
up=$!
stop() {
  kill -TERM "$up" 2>/dev/null || true
  wait "$up" || true
  bash scripts/dockerd.sh stop "$dockerd_pid"
}
trap stop INT TERM
export SHOAL_CONFIG="$DATA_DIR/admin.yaml"
for _ in $(seq 1 100); do
  [ -f "$SHOAL_CONFIG" ] && node bin/shoal.js version >/dev/null 2>&1 && break
  sleep 0.2
done
node bin/shoal.js apply -f examples/
node bin/shoal.js get all
wait "$up" || true
bash scripts/dockerd.sh stop "$dockerd_pid"
