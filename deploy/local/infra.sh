#!/usr/bin/env bash
# PostgreSQL and RabbitMQ (with management) on 127.0.0.1 for a local run or a test run, under one state folder,
# from the local Debian binaries (installed with apt when missing). No Docker needed.
#
#   infra.sh up STATE_DIR     starts both (STATE_DIR/postgres, STATE_DIR/rabbitmq) and writes STATE_DIR/infra.env:
#                               export VOICEMESH_TEST_POSTGRES='Host=127.0.0.1;Port=...;...'
#                               export VOICEMESH_TEST_RABBITMQ='amqp://guest:guest@127.0.0.1:PORT/'
#                               export VOICEMESH_TEST_RABBITMQ_MANAGEMENT='http://127.0.0.1:MGMT'
#                               export ConnectionStrings__Postgres='...'   (same as VOICEMESH_TEST_POSTGRES)
#                               export ConnectionStrings__RabbitMq='...'   (same as VOICEMESH_TEST_RABBITMQ)
#                               export DeadLetters__ManagementUrl='http://127.0.0.1:MGMT/'   (the gateway's dead-letter API)
#                             and prints that file's path on stdout. Ports: VOICEMESH_PG_PORT,
#                             VOICEMESH_RABBITMQ_PORT, VOICEMESH_RABBITMQ_MGMT_PORT, VOICEMESH_RABBITMQ_DIST_PORT
#                             when set, else the ports of the previous 'up' of STATE_DIR when still free (so data
#                             survives down/up), else free ones. 'up' on a running STATE_DIR changes nothing.
#                             VOICEMESH_PG_FAST=1 turns PostgreSQL's fsync off (tests only).
#   infra.sh down STATE_DIR   stops exactly what 'up' started and removes infra.env; keeps the data.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

usage() { die "usage: infra.sh up STATE_DIR | infra.sh down STATE_DIR"; }

# pick_port RECORDED STILL_UP TAKEN...: the port recorded by the last up (if we are still up or it is free and not
# among TAKEN), else a free port not among TAKEN.
pick_port() {
  local recorded="$1" still_up="$2"
  shift 2
  if [[ "$recorded" =~ ^[0-9]+$ ]] && { [[ "$still_up" == true ]] || ! port_open "$recorded"; }; then
    local other
    for other in "$@"; do
      [[ "$other" != "$recorded" ]] || { free_port "$@"; return; }
    done
    echo "$recorded"
  else
    free_port "$@"
  fi
}

up() {
  local state
  state="$(absolute_dir "$1")"
  local started=$SECONDS
  ensure_apt postgresql rabbitmq-server curl

  local PG_PORT="" AMQP_PORT="" MGMT_PORT="" DIST_PORT="" still_up=false
  if [[ -f "$state/ports.env" ]]; then
    # shellcheck disable=SC1091
    source "$state/ports.env"
  fi
  [[ -f "$state/infra.env" ]] && still_up=true
  local pg amqp mgmt dist
  pg="${VOICEMESH_PG_PORT:-$(pick_port "$PG_PORT" "$still_up")}"
  amqp="${VOICEMESH_RABBITMQ_PORT:-$(pick_port "$AMQP_PORT" "$still_up" "$pg")}"
  mgmt="${VOICEMESH_RABBITMQ_MGMT_PORT:-$(pick_port "$MGMT_PORT" "$still_up" "$pg" "$amqp")}"
  dist="${VOICEMESH_RABBITMQ_DIST_PORT:-$(pick_port "$DIST_PORT" "$still_up" "$pg" "$amqp" "$mgmt")}"
  printf 'PG_PORT=%s\nAMQP_PORT=%s\nMGMT_PORT=%s\nDIST_PORT=%s\n' "$pg" "$amqp" "$mgmt" "$dist" >"$state/ports.env"

  # PostgreSQL (~1 s) starts alongside RabbitMQ (~6 s).
  local postgres rabbitmq pg_job
  "$here/postgres.sh" start "$state/postgres" "$pg" >"$state/postgres.out" &
  pg_job=$!
  if ! rabbitmq="$("$here/rabbitmq.sh" start "$state/rabbitmq" "$amqp" "$mgmt" "$dist")"; then
    wait "$pg_job" || true
    rm -f "$state/postgres.out"
    "$here/postgres.sh" stop "$state/postgres" || true
    die "RabbitMQ did not start (see above); PostgreSQL stopped again"
  fi
  if ! wait "$pg_job"; then
    rm -f "$state/postgres.out"
    "$here/rabbitmq.sh" stop "$state/rabbitmq" || true
    die "PostgreSQL did not start (see above); RabbitMQ stopped again"
  fi
  postgres="$(tail -n 1 "$state/postgres.out")"
  rm -f "$state/postgres.out"

  write_infra_env "$state" infra.sh "$postgres" "$rabbitmq" "$mgmt"
  log "infrastructure up in $((SECONDS - started)) s: PostgreSQL 127.0.0.1:$pg, RabbitMQ 127.0.0.1:$amqp (management http://127.0.0.1:$mgmt/); source $state/infra.env"
  echo "$state/infra.env"
}

down() {
  local state="$1" status=0
  [[ -d "$state" ]] || return 0
  if [[ -d "$state/rabbitmq" ]]; then
    "$here/rabbitmq.sh" stop "$state/rabbitmq" || status=1
  fi
  if [[ -d "$state/postgres" ]]; then
    "$here/postgres.sh" stop "$state/postgres" || status=1
  fi
  ((status == 0)) || die "could not stop everything under $state (see above)"
  rm -f "$state/infra.env"
}

case "${1:-}" in
  up) [[ $# -eq 2 ]] || usage; up "$2" ;;
  down) [[ $# -eq 2 ]] || usage; down "$2" ;;
  *) usage ;;
esac
