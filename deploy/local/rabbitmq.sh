#!/usr/bin/env bash
# A private RabbitMQ node on 127.0.0.1 with the management plugin, from Debian's rabbitmq-server (installed with
# apt when missing), run as the calling user with everything (cookie, data, logs, pid) under DIR.
#
#   rabbitmq.sh start DIR AMQP_PORT MGMT_PORT DIST_PORT [NODENAME]
#       starts the node (name NODENAME, default vm-AMQP_PORT@localhost), waits until it accepts connections on
#       AMQP_PORT and MGMT_PORT (90 s at most), and prints one line on stdout:
#       amqp://guest:guest@127.0.0.1:AMQP_PORT/
#       Starting a node that already runs from DIR on the same ports just prints it again.
#   rabbitmq.sh stop DIR
#       SIGTERM to the node's pid (~6 s; SIGKILL after 15 s); stops epmd too when these scripts started it and no node
#       is registered with it any more. Succeeds when nothing runs.
#
# Stopping and starting the same DIR with the same ports (and NODENAME) keeps the node's data: durable queues and
# persistent messages survive. Several nodes run side by side with different DIRs, ports and names.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

RABBIT_BIN=/usr/lib/rabbitmq/bin
BEAM_PATTERN='(^|/)beam(\.smp)? '
LAUNCHER_PATTERN='rabbitmq-server'
EPMD_PATTERN='(^|/)epmd( |$)'
EPMD_PORT="${ERL_EPMD_PORT:-4369}"
# Shared by every node these scripts start on the machine: who started epmd, and a lock so that a node starting
# while another one stops never loses the epmd it is about to register with.
RUN_DIR="/tmp/voicemesh-run-$EUID"

# epmd comes with erlang-base; Debian links it into /usr/bin.
epmd_path() {
  local epmd
  epmd="$(command -v epmd || compgen -G '/usr/lib/erlang/erts-*/bin/epmd' | head -n 1 || true)"
  [[ -n "$epmd" ]] || die "epmd not found (it comes with erlang-base, a dependency of rabbitmq-server)"
  echo "$epmd"
}

epmd_cmd() {
  local epmd
  epmd="$(epmd_path)"
  "$epmd" "$@"
}

usage() { die "usage: rabbitmq.sh start DIR AMQP_PORT MGMT_PORT DIST_PORT [NODENAME] | rabbitmq.sh stop DIR"; }

# The node shares two cores with PostgreSQL and the .NET processes: its schedulers must not spin waiting for work
# (RabbitMQ's runtime-tuning guide: disable scheduler busy waiting on shared or contended CPUs).
ERL_SCHEDULER_ARGS="+sbwt none +sbwtdcpu none +sbwtdio none"

node_env() {
  local dir="$1" node="$2" amqp="$3" dist="$4"
  export HOME="$dir" \
    RABBITMQ_NODENAME="$node" \
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT="$amqp" \
    RABBITMQ_DIST_PORT="$dist" \
    RABBITMQ_MNESIA_BASE="$dir/mnesia" \
    RABBITMQ_LOG_BASE="$dir/log" \
    RABBITMQ_PID_FILE="$dir/rabbitmq.pid" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" \
    RABBITMQ_CONFIG_FILE="$dir/rabbitmq" \
    RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config" \
    RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf" \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1} $ERL_SCHEDULER_ARGS" \
    RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
    ERL_EPMD_ADDRESS=127.0.0.1 \
    ERL_CRASH_DUMP="$dir/log/erl_crash.dump"
}

# node_ready AMQP_PORT MGMT_PORT: the node takes AMQP connections and its management listener is up. The AMQP
# listener opens last in the node's boot ("Ready to start client connection listeners", after every plugin), so both
# ports accepting is the boot complete. Checked with two TCP connects: 'rabbitmqctl await_startup' (an Erlang VM boot
# each try) after a management API request (3 s at most) could not answer in time on cores loaded by the tests, and a node that
# had long finished booting was then given up on after 90 s.
node_ready() {
  port_open "$1" && port_open "$2"
}

# Succeeds when the node's short name is registered with epmd.
registered() {
  local short="${1%@*}"
  epmd_cmd -port "$EPMD_PORT" -names 2>/dev/null | grep -q "^name $short at port"
}

# Starts epmd on 127.0.0.1 unless one answers, remembering in DIR (and in RUN_DIR for whichever node stops last)
# that we started it. Call with the lock held.
ensure_epmd() {
  local dir="$1"
  if port_open "$EPMD_PORT"; then
    [[ -f "$dir/epmd.before" ]] || echo running >"$dir/epmd.before"
    return 0
  fi
  echo absent >"$dir/epmd.before"
  local epmd
  epmd="$(epmd_path)"
  (cd / && exec setsid nohup "$epmd" -address 127.0.0.1 -port "$EPMD_PORT" </dev/null >>"$dir/log/epmd.log" 2>&1 9>&-) &
  local pid=$!
  if wait_until 10 port_open "$EPMD_PORT" && pid_is "$pid" "$EPMD_PATTERN"; then
    echo "$pid" >"$dir/epmd.pid"
    echo "$pid" >"$RUN_DIR/epmd.pid"
  else
    log "warning: could not start epmd on 127.0.0.1:$EPMD_PORT (log: $dir/log/epmd.log); the node will start its own"
  fi
}

# Stops the epmd these scripts started once no node is registered with it. Call with the lock held.
release_epmd() {
  local dir="$1" pid
  pid="$(read_pid "$RUN_DIR/epmd.pid")"
  [[ -n "$pid" ]] || pid="$(read_pid "$dir/epmd.pid")"
  if [[ -z "$pid" ]] || ! pid_is "$pid" "$EPMD_PATTERN"; then
    rm -f "$RUN_DIR/epmd.pid" "$dir/epmd.pid"
    return 0
  fi
  if epmd_cmd -port "$EPMD_PORT" -names 2>/dev/null | grep -q '^name '; then
    return 0 # another node still uses it; whichever of ours stops last stops it
  fi
  stop_pid "$pid" "$EPMD_PATTERN" 5
  rm -f "$RUN_DIR/epmd.pid" "$dir/epmd.pid"
}

with_lock() {
  mkdir -p "$RUN_DIR"
  chmod 700 "$RUN_DIR"
  (
    flock -w 120 9 || die "timed out waiting for $RUN_DIR/epmd.lock"
    "$@"
  ) 9>"$RUN_DIR/epmd.lock"
}

show_logs() {
  local dir="$1" node="$2"
  log "last lines of $dir/log/$node.log and console.log:"
  tail -n 25 "$dir/log/$node.log" >&2 2>/dev/null || true
  tail -n 25 "$dir/log/console.log" >&2 2>/dev/null || true
}

leads_group() {
  [[ "$(ps -o pgid= -p "$1" 2>/dev/null | tr -d ' ')" == "$1" ]]
}

# Launches the node in its own session (so a terminal's Ctrl-C does not reach it) and waits until it registers
# with epmd. Call with the lock held; fd 9 (the lock) is not passed on.
launch() {
  local dir="$1" node="$2"
  ensure_epmd "$dir"
  rm -f "$dir/rabbitmq.pid"
  (cd "$dir" && exec setsid nohup "$RABBIT_BIN/rabbitmq-server" </dev/null >>"$dir/log/console.log" 2>&1 9>&-) &
  local launcher=$!
  echo "$launcher" >"$dir/launcher.pid"
  # Once setsid has run, the launcher leads its own process group: stop can sweep whatever is left of it.
  rm -f "$dir/launcher.pgid"
  if wait_until 5 leads_group "$launcher"; then
    echo "$launcher" >"$dir/launcher.pgid"
  fi
  local deadline=$((SECONDS + 60))
  until registered "$node"; do
    pid_alive "$launcher" || return 0 # start() reports it
    ((SECONDS < deadline)) || return 0
    sleep 0.2
  done
}

start() {
  local dir="$1" amqp="$2" mgmt="$3" dist="$4" node="${5:-}"
  require_port AMQP_PORT "$amqp"
  require_port MGMT_PORT "$mgmt"
  require_port DIST_PORT "$dist"
  [[ "$amqp" != "$mgmt" && "$amqp" != "$dist" && "$mgmt" != "$dist" ]] || die "AMQP_PORT, MGMT_PORT and DIST_PORT must differ"
  [[ -n "$node" ]] || node="vm-$amqp"
  [[ "$node" == *@* ]] || node="$node@localhost"
  ensure_apt rabbitmq-server curl
  dir="$(absolute_dir "$dir")"
  mkdir -p "$dir/log" "$dir/mnesia"
  node_env "$dir" "$node" "$amqp" "$dist"
  local started=$SECONDS

  local pid
  pid="$(read_pid "$dir/rabbitmq.pid")"
  if pid_is "$pid" "$BEAM_PATTERN"; then
    [[ "$(cat "$dir/ports" 2>/dev/null)" == "$amqp $mgmt $dist $node" ]] \
      || die "a node already runs from $dir with other ports or name ($(cat "$dir/ports" 2>/dev/null)); stop it first"
    wait_until 90 node_ready "$amqp" "$mgmt" || die "the node running from $dir does not answer"
    log "RabbitMQ $node already running on 127.0.0.1:$amqp ($dir)"
    echo "amqp://guest:guest@127.0.0.1:$amqp/"
    return 0
  fi
  local port
  for port in "$amqp" "$mgmt" "$dist"; do
    ! port_open "$port" || die "127.0.0.1:$port is already in use: choose other ports"
  done

  cat >"$dir/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$amqp
management.tcp.ip = 127.0.0.1
management.tcp.port = $mgmt
CONF
  echo '[rabbitmq_management].' >"$dir/enabled_plugins"
  : >"$dir/rabbitmq-env.conf"
  echo "$amqp $mgmt $dist $node" >"$dir/ports"

  with_lock launch "$dir" "$node"

  local launcher deadline=$((started + 90))
  launcher="$(read_pid "$dir/launcher.pid")"
  until node_ready "$amqp" "$mgmt"; do
    if ! pid_alive "$launcher"; then
      show_logs "$dir" "$node"
      stop "$dir"
      die "RabbitMQ node $node exited during start-up (logs in $dir/log)"
    fi
    if ((SECONDS >= deadline)); then
      show_logs "$dir" "$node"
      stop "$dir"
      die "RabbitMQ node $node was not ready on 127.0.0.1:$amqp within 90 s (logs in $dir/log)"
    fi
    sleep 0.25
  done
  log "RabbitMQ $node on 127.0.0.1:$amqp, management http://127.0.0.1:$mgmt/ ($dir, $((SECONDS - started)) s)"
  echo "amqp://guest:guest@127.0.0.1:$amqp/"
}

stop() {
  local dir="$1"
  [[ -d "$dir" ]] || return 0
  dir="$(cd -- "$dir" && pwd -P)"
  local pid launcher pgid
  pid="$(read_pid "$dir/rabbitmq.pid")"
  launcher="$(read_pid "$dir/launcher.pid")"
  pgid="$(read_pid "$dir/launcher.pgid")"

  # The node shuts down cleanly on SIGTERM: ~6 s on 3.10 with the management plugin, which waits 5 s for
  # statistics to stop (rabbitmq-server#11070, fixed in 3.13); the data is safe by the end of it.
  stop_pid "$pid" "$BEAM_PATTERN" 15
  # The launcher (a shell waiting for the VM) exits with it; on its own SIGTERM it stops the VM first.
  if pid_alive "$launcher" && ! wait_until 5 pid_gone "$launcher"; then
    stop_pid "$launcher" "$LAUNCHER_PATTERN" 15
  fi
  # Whatever is left of the node's process group (the VM when no pid file was written yet, erl_child_setup).
  if [[ -n "$pgid" ]]; then
    local member
    for member in $(pgrep -g "$pgid" 2>/dev/null || true); do
      stop_pid "$member" "$BEAM_PATTERN|erl_child_setup|inet_gethost|$LAUNCHER_PATTERN" 5
    done
  fi
  rm -f "$dir/rabbitmq.pid" "$dir/launcher.pid" "$dir/launcher.pgid"
  with_lock release_epmd "$dir"
}

case "${1:-}" in
  start) [[ $# -eq 5 || $# -eq 6 ]] || usage; start "$2" "$3" "$4" "$5" "${6:-}" ;;
  stop) [[ $# -eq 2 ]] || usage; stop "$2" ;;
  *) usage ;;
esac
