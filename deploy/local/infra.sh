#!/usr/bin/env bash
# PostgreSQL and RabbitMQ for a local run, under one state folder.
#   infra.sh up STATE_DIR     starts both on free ports (or VOICEMESH_PG_PORT, VOICEMESH_RABBITMQ_PORT,
#                             VOICEMESH_RABBITMQ_MGMT_PORT) and writes STATE_DIR/infra.env to source
#   infra.sh down STATE_DIR   stops exactly what 'up' started
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

up() {
  local state="$1"
  mkdir -p "$state"
  "$here/install.sh"
  local pg_port="${VOICEMESH_PG_PORT:-$(free_port)}"
  local amqp_port="${VOICEMESH_RABBITMQ_PORT:-$(free_port)}"
  local mgmt_port="${VOICEMESH_RABBITMQ_MGMT_PORT:-$(free_port)}"
  local dist_port
  dist_port="$(free_port)"

  local postgres rabbitmq
  postgres="$("$here/postgres.sh" start "$state/postgres" "$pg_port")"
  rabbitmq="$("$here/rabbitmq.sh" start "$state/rabbitmq" "$amqp_port" "$mgmt_port" "$dist_port")" \
    || { "$here/postgres.sh" stop "$state/postgres"; exit 1; }
  cat >"$state/infra.env" <<ENV
export ConnectionStrings__Postgres='$postgres'
export ConnectionStrings__RabbitMq='$rabbitmq'
export VOICEMESH_TEST_POSTGRES='$postgres'
export VOICEMESH_TEST_RABBITMQ='$rabbitmq'
export VOICEMESH_TEST_RABBITMQ_MANAGEMENT='http://127.0.0.1:$mgmt_port/'
ENV
  log "PostgreSQL on 127.0.0.1:$pg_port, RabbitMQ on 127.0.0.1:$amqp_port (management http://127.0.0.1:$mgmt_port/)"
}

down() {
  local state="$1"
  [[ -d "$state/rabbitmq" ]] && "$here/rabbitmq.sh" stop "$state/rabbitmq"
  [[ -d "$state/postgres" ]] && "$here/postgres.sh" stop "$state/postgres"
  rm -f "$state/infra.env"
}

case "${1:-}" in
  up) [[ $# -eq 2 ]] || die "usage: infra.sh up STATE_DIR"; up "$2" ;;
  down) [[ $# -eq 2 ]] || die "usage: infra.sh down STATE_DIR"; down "$2" ;;
  *) die "usage: infra.sh up STATE_DIR | down STATE_DIR" ;;
esac
