# Shared helpers for the deploy/local scripts (sourced, not run).

log() { printf '[voicemesh] %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# A TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
  local port
  for _ in $(seq 1 100); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  die "no free port found on 127.0.0.1"
}

# Waits until a TCP port on 127.0.0.1 accepts connections.
wait_port() {
  local port="$1" seconds="$2" deadline=$((SECONDS + $2))
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# Sends SIGTERM to a pid we started, waits, then SIGKILL. Succeeds when it is already gone.
stop_pid() {
  local pid="$1" seconds="${2:-15}"
  [[ -n "$pid" ]] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((seconds * 5))); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.2
  done
  kill -KILL "$pid" 2>/dev/null || true
}
