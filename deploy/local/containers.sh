#!/usr/bin/env bash
# PostgreSQL and RabbitMQ (with management) in containers on 127.0.0.1, for './voicemesh up' on a machine whose Docker
# engine answers (lib.sh infra_kind): deploy/local/infra.compose.yml as one compose project per state folder.
#
#   containers.sh up STATE_DIR     starts both, waits until their health checks pass, writes STATE_DIR/infra.env with
#                                  the variables infra.sh writes (ConnectionStrings__Postgres, ConnectionStrings__RabbitMq,
#                                  DeadLetters__ManagementUrl, VOICEMESH_TEST_*) and prints its path. Ports: as infra.sh
#                                  (VOICEMESH_PG_PORT, VOICEMESH_RABBITMQ_PORT, VOICEMESH_RABBITMQ_MGMT_PORT, else free
#                                  ones); the passwords are generated once per STATE_DIR (STATE_DIR/secrets.env).
#   containers.sh down STATE_DIR   stops and removes the containers (the data volumes stay) and removes infra.env.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

usage() { die "usage: containers.sh up STATE_DIR | containers.sh down STATE_DIR"; }

# compose STATE ARGS...: docker compose on infra.compose.yml, the project named after the state folder.
compose() {
  local state="$1"
  shift
  local project
  project="voicemesh-$(printf '%s' "$state" | sha256sum | cut -c1-12)"
  docker compose --project-name "$project" --file "$here/infra.compose.yml" "$@"
}

up() {
  local state
  state="$(absolute_dir "$1")"
  local started=$SECONDS
  timeout 10 docker info >/dev/null 2>&1 \
    || die "no Docker engine answers ('docker info' failed); set VOICEMESH_INFRA=local to run PostgreSQL and RabbitMQ from the local binaries"
  docker compose version >/dev/null 2>&1 \
    || die "the docker client has no Compose v2 ('docker compose version' failed); set VOICEMESH_INFRA=local to run PostgreSQL and RabbitMQ from the local binaries"
  if [[ ! -f "$state/secrets.env" ]]; then
    local postgres_password rabbitmq_password
    postgres_password="$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
    rabbitmq_password="$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
    (umask 077 && printf '%s\n' "POSTGRES_PASSWORD=$postgres_password" "RABBITMQ_PASSWORD=$rabbitmq_password" >"$state/secrets.env")
  fi
  # shellcheck disable=SC1091
  source "$state/secrets.env"
  local pg amqp mgmt
  pg="${VOICEMESH_PG_PORT:-$(free_port)}"
  amqp="${VOICEMESH_RABBITMQ_PORT:-$(free_port "$pg")}"
  mgmt="${VOICEMESH_RABBITMQ_MGMT_PORT:-$(free_port "$pg" "$amqp")}"
  if ! POSTGRES_PASSWORD="$POSTGRES_PASSWORD" RABBITMQ_PASSWORD="$RABBITMQ_PASSWORD" PG_PORT="$pg" AMQP_PORT="$amqp" MGMT_PORT="$mgmt" \
    compose "$state" up --detach --wait --wait-timeout 180 >&2; then
    compose "$state" logs --tail 40 >&2 || true
    die "the PostgreSQL and RabbitMQ containers did not become healthy (see above)"
  fi

  local postgres="Host=127.0.0.1;Port=$pg;Username=postgres;Password=$POSTGRES_PASSWORD;Database=voicemesh"
  local rabbitmq="amqp://voicemesh:$RABBITMQ_PASSWORD@127.0.0.1:$amqp/"
  write_infra_env "$state" containers.sh "$postgres" "$rabbitmq" "$mgmt"
  log "containers up in $((SECONDS - started)) s: PostgreSQL 127.0.0.1:$pg, RabbitMQ 127.0.0.1:$amqp (management http://127.0.0.1:$mgmt/); source $state/infra.env"
  echo "$state/infra.env"
}

down() {
  local state="$1"
  [[ -f "$state/infra.env" ]] || return 0
  # shellcheck disable=SC1091
  source "$state/secrets.env"
  POSTGRES_PASSWORD="$POSTGRES_PASSWORD" RABBITMQ_PASSWORD="$RABBITMQ_PASSWORD" PG_PORT=1 AMQP_PORT=1 MGMT_PORT=1 \
    compose "$state" down >&2 || die "could not stop the containers of $state (see above)"
  rm -f "$state/infra.env"
}

case "${1:-}" in
  up) [[ $# -eq 2 ]] || usage; up "$2" ;;
  down) [[ $# -eq 2 ]] || usage; down "$2" ;;
  *) usage ;;
esac
