#!/usr/bin/env bash
# The main job: set up (idempotent), start the embedded cluster, apply the example app.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
DATA_DIR="${SHOAL_DATA_DIR:-$HOME/.shoal/data}"
node bin/shoal.js up --data-dir "$DATA_DIR" "$@" &
up=$!
trap 'kill -TERM $up 2>/dev/null; wait $up' INT TERM
export SHOAL_CONFIG="$DATA_DIR/admin.yaml"
for _ in $(seq 1 100); do
  [ -f "$SHOAL_CONFIG" ] && node bin/shoal.js version >/dev/null 2>&1 && break
  sleep 0.2
done
node bin/shoal.js apply -f examples/
node bin/shoal.js get all
wait $up
