#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what is missing, type-checks, lints,
# and runs every test. Tests start the daemons they need (nats-server per test file, API
# servers on ephemeral ports) and stop them; nothing is left running.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
echo "== type-check and build"
npx tsc -p tsconfig.json
echo "== lint"
npx eslint .
echo "== tests"
npx vitest run "$@"
