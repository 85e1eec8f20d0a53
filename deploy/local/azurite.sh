#!/usr/bin/env bash
# Azurite's blob service on 127.0.0.1, in memory (npm azurite 3.37.0, installed into deploy/local/.node when missing).
#
#   azurite.sh start DIR PORT   starts the blob service on 127.0.0.1:PORT (queue and table services are not run),
#                               waits until it answers and prints one line on stdout, the connection string:
#                               DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=...;
#                               BlobEndpoint=http://127.0.0.1:PORT/devstoreaccount1;
#                               Starting one that already runs from DIR on PORT just prints it again.
#   azurite.sh stop DIR         SIGTERM, then SIGKILL once it logged "closed" (its process lingers ~5 s after
#                               that) or after 10 s; succeeds when it is not running. Data is in memory: a restart
#                               starts empty.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

AZURITE_PATTERN='azurite'
# The well-known development account key (public, documented by Microsoft).
ACCOUNT_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

usage() { die "usage: azurite.sh start DIR PORT | azurite.sh stop DIR"; }

connection_string() {
  echo "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$ACCOUNT_KEY;BlobEndpoint=http://127.0.0.1:$1/devstoreaccount1;"
}

# Any HTTP answer (an anonymous request gets 4xx) means the service is up.
answers() {
  local code
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$1/devstoreaccount1?comp=list" 2>/dev/null || true)"
  [[ -n "$code" && "$code" != 000 ]]
}

start() {
  local dir="$1" port="$2"
  require_port PORT "$port"
  ensure_apt curl
  ensure_azurite
  dir="$(absolute_dir "$dir")"

  local pid
  pid="$(read_pid "$dir/azurite.pid")"
  if pid_is "$pid" "$AZURITE_PATTERN"; then
    [[ "$(cat "$dir/port" 2>/dev/null)" == "$port" ]] \
      || die "Azurite already runs from $dir on port $(cat "$dir/port" 2>/dev/null || echo '?'); stop it first"
    wait_until 30 answers "$port" || die "the Azurite running from $dir does not answer on 127.0.0.1:$port"
    log "Azurite already running on 127.0.0.1:$port ($dir)"
    connection_string "$port"
    return 0
  fi
  ! port_open "$port" || die "127.0.0.1:$port is already in use: choose another PORT"

  echo "$port" >"$dir/port"
  local started=$SECONDS
  # Its own session, so a terminal's Ctrl-C does not reach it; stdout/stderr to a file, so a caller reading our
  # stdout is not kept waiting.
  (cd "$dir" && exec setsid nohup "$AZURITE_BLOB" --blobHost 127.0.0.1 --blobPort "$port" --inMemoryPersistence \
    --skipApiVersionCheck </dev/null >>"$dir/azurite.log" 2>&1) &
  pid=$!
  echo "$pid" >"$dir/azurite.pid"
  until answers "$port"; do
    if ! pid_alive "$pid"; then
      tail -n 20 "$dir/azurite.log" >&2 || true
      die "Azurite exited during start-up (log: $dir/azurite.log)"
    fi
    if ((SECONDS - started > 60)); then
      tail -n 20 "$dir/azurite.log" >&2 || true
      stop "$dir"
      die "Azurite did not answer on 127.0.0.1:$port within 60 s (log: $dir/azurite.log)"
    fi
    sleep 0.2
  done
  log "Azurite blob on 127.0.0.1:$port ($dir, $((SECONDS - started)) s)"
  connection_string "$port"
}

closed_since() {
  local log_file="$1" lines_before="$2"
  tail -n "+$((lines_before + 1))" "$log_file" 2>/dev/null | grep -q 'successfully closed'
}

stop() {
  local dir="$1" pid
  [[ -d "$dir" ]] || return 0
  pid="$(read_pid "$dir/azurite.pid")"
  if pid_is "$pid" "$AZURITE_PATTERN"; then
    # Azurite logs "successfully closed" within a few ms of SIGTERM but its process often lingers ~5 s more;
    # everything is in memory, so once it has closed, SIGKILL loses nothing.
    local lines_before
    lines_before="$(wc -l <"$dir/azurite.log" 2>/dev/null || echo 0)"
    kill -TERM "$pid" 2>/dev/null || true
    if wait_until 10 closed_since "$dir/azurite.log" "$lines_before"; then
      wait_until 1 pid_gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
    fi
    stop_pid "$pid" "$AZURITE_PATTERN" 5
  fi
  rm -f "$dir/azurite.pid"
}

case "${1:-}" in
  start) [[ $# -eq 3 ]] || usage; start "$2" "$3" ;;
  stop) [[ $# -eq 2 ]] || usage; stop "$2" ;;
  *) usage ;;
esac
