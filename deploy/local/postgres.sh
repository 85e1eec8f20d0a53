#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on 127.0.0.1 (Debian's postgresql, installed with apt when missing).
#
#   postgres.sh start DIR PORT   creates the cluster in DIR/data on first use (trust auth, user postgres, UTF8,
#                                no locale), starts it on 127.0.0.1:PORT with its socket in DIR, waits until it
#                                accepts connections and prints one line on stdout, the Npgsql connection string:
#                                Host=127.0.0.1;Port=PORT;Username=postgres;Password=postgres;Database=postgres
#                                Starting a cluster that already runs on PORT just prints it again.
#                                When the postgres user cannot reach DIR (under root's 0700 home), the cluster lives
#                                in /tmp/voicemesh-pg-<hash of DIR> instead, recorded in DIR/home.
#   postgres.sh stop DIR         stops the cluster in DIR (pg_ctl -m fast); succeeds when it is not running.
#
# VOICEMESH_PG_FAST=1 adds -c fsync=off -c synchronous_commit=off: for tests only, never for figures that claim
# durability. max_connections is 300. As root, the server runs as the 'postgres' user (PostgreSQL refuses root).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

usage() { die "usage: postgres.sh start DIR PORT | postgres.sh stop DIR"; }

# The newest installed PostgreSQL's bin folder.
bin_dir() {
  local initdb
  initdb="$(compgen -G '/usr/lib/postgresql/*/bin/initdb' | sort -V | tail -n 1 || true)"
  [[ -n "$initdb" ]] || die "PostgreSQL is not installed (run: apt-get install -y postgresql)"
  dirname "$initdb"
}

# Runs a command as the cluster's owner, from / (root's home is not readable by postgres).
as_owner() {
  if ((EUID == 0)); then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

cluster_running() {
  local bin="$1" dir="$2"
  [[ -f "$dir/data/PG_VERSION" ]] || return 1
  as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

accepts_connections() {
  local bin="$1" port="$2"
  "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -t 2
}

connection_string() {
  echo "Host=127.0.0.1;Port=$1;Username=postgres;Password=postgres;Database=postgres"
}

# The folder the server's own files live in (data, log, socket): DIR itself, or, when the postgres user cannot
# reach DIR (a checkout under root's 0700 home), a folder under /tmp named after DIR, recorded in DIR/home.
server_home() {
  local dir="$1"
  if [[ -f "$dir/home" ]]; then
    cat "$dir/home"
  else
    echo "$dir"
  fi
}

start() {
  local dir="$1" port="$2" bin home
  require_port PORT "$port"
  ensure_apt postgresql
  bin="$(bin_dir)"
  dir="$(absolute_dir "$dir")"
  home="$dir"
  if ((EUID == 0)); then
    id postgres >/dev/null 2>&1 || die "user 'postgres' does not exist (it comes with the postgresql package)"
    chown postgres: "$dir"
    if ! runuser -u postgres -- test -w "$dir" -a -x "$dir"; then
      home="/tmp/voicemesh-pg-$(printf '%s' "$dir" | sha1sum | cut -c1-16)"
      mkdir -p "$home"
      chown postgres: "$home"
      chmod 700 "$home"
      echo "$home" >"$dir/home"
      log "the postgres user cannot reach $dir (a folder above it is not searchable): the cluster lives in $home"
    else
      rm -f "$dir/home"
    fi
  fi
  [[ "$home" != *"'"* ]] || die "DIR must not contain a single quote: $home"

  if cluster_running "$bin" "$home"; then
    local running_port
    running_port="$(cat "$dir/port" 2>/dev/null || true)"
    [[ "$running_port" == "$port" ]] \
      || die "the cluster in $home already runs on port ${running_port:-?}; stop it first (postgres.sh stop $dir)"
    wait_until 30 accepts_connections "$bin" "$port" || die "the cluster in $home runs but does not accept connections on 127.0.0.1:$port"
    log "PostgreSQL already running on 127.0.0.1:$port ($home)"
    connection_string "$port"
    return 0
  fi
  ! port_open "$port" || die "127.0.0.1:$port is already in use: choose another PORT"

  if [[ ! -f "$home/data/PG_VERSION" ]]; then
    rm -rf "${home:?}/data"
    as_owner "$bin/initdb" -D "$home/data" -U postgres --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; die "initdb failed in $home/data"; }
  fi

  # A Unix socket path is limited to 107 bytes: a deep DIR gets its socket in a short folder under /tmp instead.
  local socket_dir="$home"
  if ((${#home} + ${#port} + 16 > 107)); then
    socket_dir="$(mktemp -d /tmp/voicemesh-pg.XXXXXX)"
    ((EUID != 0)) || chown postgres: "$socket_dir"
    echo "$socket_dir" >"$dir/socket_dir"
  else
    rm -f "$dir/socket_dir"
  fi

  local options="-c listen_addresses=127.0.0.1 -p $port -k '$socket_dir' -c max_connections=300"
  if [[ "${VOICEMESH_PG_FAST:-}" == 1 ]]; then
    options+=" -c fsync=off -c synchronous_commit=off"
  fi
  echo "$port" >"$dir/port"
  local log_file="$home/postgres.log"
  # pg_ctl -w returns once the server accepts connections, or fails as soon as the postmaster exits.
  if ! as_owner "$bin/pg_ctl" -D "$home/data" -l "$log_file" -w -t 60 -o "$options" start >/dev/null 2>&1; then
    tail -n 20 "$log_file" >&2 || true
    # It may have started but missed the deadline: leave nothing behind.
    if cluster_running "$bin" "$home"; then
      as_owner "$bin/pg_ctl" -D "$home/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    die "PostgreSQL did not start on 127.0.0.1:$port (log: $log_file)"
  fi
  if ! wait_until 30 accepts_connections "$bin" "$port"; then
    as_owner "$bin/pg_ctl" -D "$home/data" -m immediate -w stop >/dev/null 2>&1 || true
    die "PostgreSQL started but does not accept connections on 127.0.0.1:$port (log: $log_file)"
  fi
  # pg_ctl stop finds the server through this file: exactly this cluster.
  echo "$home/data/postmaster.pid" >"$dir/pidfile"
  local fast=""
  [[ "${VOICEMESH_PG_FAST:-}" != 1 ]] || fast=", fsync off"
  log "PostgreSQL $(basename "$(dirname "$bin")") on 127.0.0.1:$port ($home$fast)"
  connection_string "$port"
}

stop() {
  local dir="$1" bin home
  [[ -d "$dir" ]] || return 0
  dir="$(cd -- "$dir" && pwd -P)"
  home="$(server_home "$dir")"
  [[ -f "$home/data/PG_VERSION" ]] || return 0
  bin="$(bin_dir)"
  if cluster_running "$bin" "$home"; then
    # pg_ctl reads the postmaster's pid from data/postmaster.pid: exactly this cluster.
    as_owner "$bin/pg_ctl" -D "$home/data" -m fast -w -t 60 stop >/dev/null \
      || die "pg_ctl could not stop the cluster in $home (log: $home/postgres.log)"
  fi
  if [[ -f "$dir/socket_dir" ]]; then
    local socket_dir
    socket_dir="$(cat "$dir/socket_dir")"
    if [[ "$socket_dir" == /tmp/voicemesh-pg.* ]]; then
      rm -rf -- "$socket_dir"
    fi
    rm -f "$dir/socket_dir"
  fi
  return 0
}

case "${1:-}" in
  start) [[ $# -eq 3 ]] || usage; start "$2" "$3" ;;
  stop) [[ $# -eq 2 ]] || usage; stop "$2" ;;
  *) usage ;;
esac
