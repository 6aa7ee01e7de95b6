#!/usr/bin/env bash
# The Shoal multi-node demo on this machine's Docker (deploy/docker-compose.yml).
#
#   deploy/demo.sh all        the whole tour: up, apply, curl, roll to v2 while curling, the
#                             dashboard URLs, down
#   deploy/demo.sh up [--offline]
#                             build the images (offline: from this machine's own binaries, when
#                             no registry answers or --offline is given) and start the cluster:
#                             nats, api, scheduler, controllers, node-1..3, proxy, Prometheus,
#                             and Grafana when its image can be had
#   deploy/demo.sh apply      apply deploy/manifests/ (the seed-style Deployment and Services)
#   deploy/demo.sh curl [N]   N requests to the LoadBalancer (default 6)
#   deploy/demo.sh roll VER   roll the Deployment to shoal/demo-app:VER while curling; fails if
#                             one request failed
#   deploy/demo.sh urls       where Prometheus, Grafana and the services are
#   deploy/demo.sh shoal ARGS the shoal CLI against the demo cluster (get nodes, get pods, ...)
#   deploy/demo.sh down [--keep-volumes]
#                             stop and remove everything: containers (the pods' too), the
#                             network, and the volumes unless --keep-volumes
#
# Ports on 127.0.0.1 (override by the variables): API 16443 (SHOAL_API_PORT), LoadBalancer
# 8080 (SHOAL_LB_PORT), NodePort 30007 (SHOAL_NODEPORT_PORT), Prometheus 9090
# (SHOAL_PROMETHEUS_PORT), Grafana 3000 (SHOAL_GRAFANA_PORT).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
state=${SHOAL_DEMO_STATE:-$root/deploy/.demo}
project=${SHOAL_DEMO_PROJECT:-shoal-demo}
compose_file=$root/deploy/docker-compose.yml

compose() {
  if docker compose version >/dev/null 2>&1; then
    docker compose -f "$compose_file" -p "$project" "$@"
  else
    docker-compose -f "$compose_file" -p "$project" "$@"
  fi
}

# The state of a running demo (tokens, images, ports), written by `up`, read by the others.
load_state() {
  [ -f "$state/env" ] || { echo "no demo is up (no $state/env): run $0 up" >&2; exit 1; }
  set -a
  # shellcheck disable=SC1091
  . "$state/env"
  set +a
  export SHOAL_CONFIG=$state/config.yaml
}

shoal() {
  node "$root/bin/shoal.js" "$@"
}

lb_url() {
  echo "http://127.0.0.1:${SHOAL_LB_PORT:-8080}/"
}

# Can an image be had: present, or pulled within a minute?
image_available() {
  docker image inspect "$1" >/dev/null 2>&1 || timeout 60 docker pull -q "$1" >/dev/null 2>&1
}

cmd_up() {
  local offline=
  case "${SHOAL_OFFLINE:-}" in 1 | true | yes) offline=1 ;; esac
  for arg in "$@"; do
    case "$arg" in
      --offline) offline=1 ;;
      *) echo "usage: $0 up [--offline]" >&2; exit 2 ;;
    esac
  done
  [ -f dist/cli/main.js ] || npm run build --silent
  if [ -z "$offline" ] && ! image_available node:20-bookworm-slim; then
    echo "no registry answers: building the images offline, from this machine's binaries"
    offline=1
  fi
  mkdir -p "$state"
  chmod 700 "$state"
  if [ ! -f "$state/env" ]; then
    {
      echo "SHOAL_TOKEN=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
      echo "SHOAL_AGENT_TOKEN=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    } >"$state/env"
  fi
  local images
  if [ -n "$offline" ]; then images=$(bash deploy/build-images.sh --offline); else images=$(bash deploy/build-images.sh); fi
  # Keep the tokens, replace the image settings.
  grep '^SHOAL_.*TOKEN=' "$state/env" >"$state/env.new" || true
  [ -n "$images" ] && echo "$images" >>"$state/env.new"
  mv "$state/env.new" "$state/env"
  load_state
  printf 'server: 127.0.0.1:%s\ntoken: %s\n' "${SHOAL_API_PORT:-16443}" "$SHOAL_TOKEN" >"$state/config.yaml"
  chmod 600 "$state/config.yaml" "$state/env"

  local services grafana=${GRAFANA_IMAGE:-grafana/grafana-oss:11.3.0}
  services=$(compose config --services)
  # Offline, only an image already here will do: no pull is even tried.
  if { [ -n "$offline" ] && ! docker image inspect "$grafana" >/dev/null 2>&1; } || ! image_available "$grafana"; then
    echo "the Grafana image cannot be had (no registry): the demo runs without Grafana"
    services=$(echo "$services" | grep -vx grafana)
  fi
  # shellcheck disable=SC2086
  compose up -d $services
  echo "waiting for the three nodes to be Ready..."
  local i
  for i in $(seq 1 60); do
    if [ "$(shoal get nodes 2>/dev/null | grep -c ' Ready ')" -eq 3 ]; then
      shoal get nodes
      return 0
    fi
    sleep 2
  done
  shoal get nodes || true
  echo "the three nodes did not become Ready within 120 s (docker logs ${project}_node-1_1 tells why)" >&2
  return 1
}

cmd_apply() {
  load_state
  shoal apply -f deploy/manifests/
  shoal rollout status deploy/demo --timeout 180s
  shoal get pods -o wide
  shoal get services
}

cmd_curl() {
  load_state
  local n=${1:-6} i
  for i in $(seq 1 "$n"); do curl -sS -m 5 "$(lb_url)"; done
}

cmd_roll() {
  load_state
  local version=${1:?usage: $0 roll VERSION (v1 or v2)}
  local log=$state/roll.log stop=$state/roll.stop
  : >"$log"
  rm -f "$stop"
  # Steady load through the LoadBalancer while the rollout runs, bounded in count (3,000
  # requests, 20 a second) and time (6 minutes, past the rollout's own timeout), so that it
  # ends even if this script is killed. One line per request: its HTTP status, 000 when it
  # failed.
  (
    deadline=$((SECONDS + 360))
    for _ in $(seq 1 3000); do
      [ -f "$stop" ] || [ "$SECONDS" -ge "$deadline" ] && break
      curl -s -m 5 -o /dev/null -w '%{http_code}\n' "$(lb_url)" >>"$log" || true
      sleep 0.05
    done
  ) &
  local load=$! rc=0
  { sed "s#shoal/demo-app:v1#shoal/demo-app:$version#" deploy/manifests/demo-deployment.yaml | shoal apply -f - &&
    shoal rollout status deploy/demo --timeout 300s; } || rc=$?
  touch "$stop"
  wait "$load" || true
  rm -f "$stop"
  [ "$rc" -eq 0 ] || return "$rc"
  local total ok
  total=$(wc -l <"$log")
  ok=$(grep -cx 200 "$log" || true)
  echo "requests during the rollout: $((total)), answered 200: $((ok)), failed: $((total - ok))"
  cmd_curl 3
  [ "$ok" -eq "$total" ]
}

cmd_urls() {
  load_state
  local ingress
  ingress=$(shoal get service demo-lb -o json 2>/dev/null |
    node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{try{console.log(JSON.parse(s).status.loadBalancer.ingress[0].ip)}catch{}})' || true)
  echo "LoadBalancer:  $(lb_url)${ingress:+   (and http://$ingress:80/ from this host on Linux)}"
  echo "NodePort:      http://127.0.0.1:${SHOAL_NODEPORT_PORT:-30007}/"
  echo "Prometheus:    http://127.0.0.1:${SHOAL_PROMETHEUS_PORT:-9090}/  (targets: /targets)"
  if [ -n "$(compose ps -q grafana 2>/dev/null)" ]; then
    echo "Grafana:       http://127.0.0.1:${SHOAL_GRAFANA_PORT:-3000}/  (the Shoal dashboard is the home page)"
  else
    echo "Grafana:       not running (its image could not be had offline)"
  fi
  echo "shoal CLI:     SHOAL_CONFIG=$state/config.yaml node bin/shoal.js get all -A"
}

cmd_down() {
  local keep=0 i
  for arg in "$@"; do
    case "$arg" in
      --keep-volumes) keep=1 ;;
      *) echo "usage: $0 down [--keep-volumes]" >&2; exit 2 ;;
    esac
  done
  # Compose needs the variables the file requires, even to take it down.
  if [ -f "$state/env" ]; then load_state; else export SHOAL_TOKEN=- SHOAL_AGENT_TOKEN=-; fi
  # The node agents remove their pods' containers as they stop (SHOAL_REMOVE_PODS_ON_EXIT).
  compose stop
  # Whatever a node could not remove (it was killed, say) goes now: the pods are not compose's,
  # and a container left on the network would keep compose from removing it.
  for i in 1 2 3; do
    docker ps -aq --filter "label=io.shoal.node=shoal-demo/node-$i" | xargs -r docker rm -f >/dev/null
  done
  if [ "$keep" = 1 ]; then
    compose down --remove-orphans
    return
  fi
  compose down -v --remove-orphans
  # The pods' persistent volumes, and the nodes' data on the host (written by root in the
  # containers: removed from a container, so that no sudo is needed).
  for i in 1 2 3; do
    docker volume ls -q --filter "label=io.shoal.node=shoal-demo/node-$i" | xargs -r docker volume rm >/dev/null
  done
  local data=${SHOAL_NODE_DATA:-/var/lib/shoal-demo}
  if [ -d "$data" ]; then
    docker run --rm -v "$data:/data" --entrypoint /bin/sh "${SHOAL_IMAGE:-shoal/shoal:dev}" \
      -c 'rm -rf /data/node-1 /data/node-2 /data/node-3' >/dev/null 2>&1 || true
    rmdir "$data" 2>/dev/null || true
  fi
  rm -rf "$state"
}

cmd_all() {
  if [ -z "${SHOAL_DEMO_KEEP:-}" ]; then
    # A failed step takes the demo down too (SHOAL_DEMO_KEEP=1 leaves it to look at).
    trap 'status=$?; if [ $status -ne 0 ]; then echo "--- a step failed: taking the demo down" >&2; cmd_down; fi' EXIT
  fi
  cmd_up "$@"
  cmd_apply
  echo "--- the LoadBalancer answers:"
  cmd_curl 6
  echo "--- rolling to v2 under load:"
  cmd_roll v2
  cmd_urls
  if [ -n "${SHOAL_DEMO_KEEP:-}" ]; then
    echo "left running (SHOAL_DEMO_KEEP): $0 down takes it down"
  else
    echo "--- taking it down (SHOAL_DEMO_KEEP=1 leaves it running):"
    cmd_down
  fi
}

verb=${1:-}
[ $# -gt 0 ] && shift
case "$verb" in
  up) cmd_up "$@" ;;
  apply) cmd_apply ;;
  curl) cmd_curl "$@" ;;
  roll) cmd_roll "$@" ;;
  urls) cmd_urls ;;
  shoal) load_state; shoal "$@" ;;
  down) cmd_down "$@" ;;
  all) cmd_all "$@" ;;
  *) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
