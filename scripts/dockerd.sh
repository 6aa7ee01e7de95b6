#!/usr/bin/env bash
# Starts dockerd if no Docker daemon answers, and prints the PID it started (empty if it
# found one running), so the caller can stop exactly what it started.
#   scripts/dockerd.sh start   -> prints PID or nothing
#   scripts/dockerd.sh stop PID
set -euo pipefail
case "${1:-}" in
  start)
    if docker info >/dev/null 2>&1; then exit 0; fi
    log=/tmp/shoal-dockerd.log
    # No iptables on some sandboxes; bridge networks still work for the pods' own traffic.
    dockerd --host unix:///var/run/docker.sock >"$log" 2>&1 &
    pid=$!
    for _ in $(seq 1 150); do
      if docker info >/dev/null 2>&1; then echo "$pid"; exit 0; fi
      if ! kill -0 "$pid" 2>/dev/null; then echo "dockerd failed to start:" >&2; tail -20 "$log" >&2; exit 1; fi
      sleep 0.2
    done
    echo "dockerd did not answer within 30 s:" >&2; tail -20 "$log" >&2; kill "$pid" || true; exit 1
    ;;
  stop)
    pid="${2:-}"
    [ -n "$pid" ] || exit 0
    kill -TERM "$pid" 2>/dev/null || exit 0
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
    ;;
  *) echo "usage: $0 start | stop PID" >&2; exit 2 ;;
esac
