#!/usr/bin/env bash
# A private RabbitMQ node on 127.0.0.1, from Debian's rabbitmq-server, with the management plugin.
#   rabbitmq.sh start DIR AMQP_PORT MGMT_PORT DIST_PORT   prints the amqp URI once the node is ready
#   rabbitmq.sh stop DIR                                  stops that node (nothing if it is not running)
# Stopping and starting the same DIR with the same ports keeps its data, so durable queues survive.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

RABBIT_BIN=/usr/lib/rabbitmq/bin

node_env() {
  local dir="$1" amqp="$2" dist="$3"
  export HOME="$dir" \
    RABBITMQ_NODENAME="vm$amqp@localhost" \
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT="$amqp" \
    RABBITMQ_DIST_PORT="$dist" \
    RABBITMQ_MNESIA_BASE="$dir/mnesia" \
    RABBITMQ_LOG_BASE="$dir/log" \
    RABBITMQ_PID_FILE="$dir/rabbitmq.pid" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" \
    RABBITMQ_CONFIG_FILE="$dir/rabbitmq" \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
    ERL_EPMD_ADDRESS=127.0.0.1
}

start() {
  local dir="$1" amqp="$2" mgmt="$3" dist="$4"
  [[ -x "$RABBIT_BIN/rabbitmq-server" ]] \
    || die "RabbitMQ is not installed: run deploy/local/install.sh (apt-get install rabbitmq-server)"
  mkdir -p "$dir/log" "$dir/mnesia"
  cat >"$dir/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$amqp
management.tcp.ip = 127.0.0.1
management.tcp.port = $mgmt
CONF
  echo '[rabbitmq_management].' >"$dir/enabled_plugins"
  printf '%s %s %s\n' "$amqp" "$mgmt" "$dist" >"$dir/ports"
  # epmd is shared by every node on the machine; remember whether it was there before us.
  if [[ ! -f "$dir/epmd.owner" ]]; then
    if (exec 3<>/dev/tcp/127.0.0.1/4369) 2>/dev/null; then echo no >"$dir/epmd.owner"; else echo yes >"$dir/epmd.owner"; fi
  fi
  node_env "$dir" "$amqp" "$dist"
  setsid nohup "$RABBIT_BIN/rabbitmq-server" >>"$dir/log/console.log" 2>&1 </dev/null &
  echo $! >"$dir/launcher.pid"

  local deadline=$((SECONDS + 90))
  until curl -fsS -u guest:guest "http://127.0.0.1:$mgmt/api/overview" >/dev/null 2>&1 \
      && "$RABBIT_BIN/rabbitmqctl" -q -n "$RABBITMQ_NODENAME" await_startup >/dev/null 2>&1; do
    if ((SECONDS > deadline)); then
      tail -n 30 "$dir/log/console.log" >&2 || true
      die "RabbitMQ did not become ready on 127.0.0.1:$amqp within 90 s (logs in $dir/log)"
    fi
    sleep 0.5
  done
  if [[ "$(cat "$dir/epmd.owner")" == yes && ! -f "$dir/epmd.pid" ]]; then
    pgrep -x epmd >"$dir/epmd.pid" || true
  fi
  echo "amqp://guest:guest@127.0.0.1:$amqp/"
}

stop() {
  local dir="$1" pid=""
  [[ -f "$dir/rabbitmq.pid" ]] && pid="$(cat "$dir/rabbitmq.pid")"
  stop_pid "$pid" 15
  [[ -f "$dir/launcher.pid" ]] && stop_pid "$(cat "$dir/launcher.pid")" 5
  rm -f "$dir/rabbitmq.pid" "$dir/launcher.pid"
  # Stop epmd only if this node started it and no other Erlang node still uses it.
  if [[ -s "$dir/epmd.pid" ]] && ! pgrep -x beam.smp >/dev/null; then
    stop_pid "$(cat "$dir/epmd.pid")" 5
    rm -f "$dir/epmd.pid"
  fi
}

case "${1:-}" in
  start) [[ $# -eq 5 ]] || die "usage: rabbitmq.sh start DIR AMQP_PORT MGMT_PORT DIST_PORT"; start "$2" "$3" "$4" "$5" ;;
  stop) [[ $# -eq 2 ]] || die "usage: rabbitmq.sh stop DIR"; stop "$2" ;;
  *) die "usage: rabbitmq.sh start DIR AMQP_PORT MGMT_PORT DIST_PORT | stop DIR" ;;
esac
