#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what is missing, starts dockerd if
# none runs (and stops it after), builds the offline images, type-checks, lints, and runs
# every test. Tests start the rest themselves (a nats-server per test file, API servers on
# ephemeral ports) and stop it; nothing is left running.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

# Tests run containers in a real Docker Engine: start dockerd if none answers, and stop
# exactly what this script started.
dockerd_pid=$(bash scripts/dockerd.sh start)
trap 'bash scripts/dockerd.sh stop "$dockerd_pid"' EXIT
bash scripts/images.sh

echo "== type-check and build"
npx tsc -p tsconfig.json
echo "== lint"
npx eslint .
echo "== tests"
npx vitest run "$@"
