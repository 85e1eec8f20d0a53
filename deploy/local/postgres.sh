#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on 127.0.0.1.
#   postgres.sh start DIR PORT   prints an Npgsql connection string once the server accepts connections
#   postgres.sh stop DIR         stops the cluster in DIR (nothing if it is not running)
# VOICEMESH_PG_FAST=1 turns fsync off: for tests only, never for figures that claim durability.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

bin_dir() {
  local initdb
  initdb="$(compgen -G '/usr/lib/postgresql/*/bin/initdb' | sort -V | tail -n 1 || true)"
  [[ -n "$initdb" ]] || die "PostgreSQL is not installed: run deploy/local/install.sh (apt-get install postgresql)"
  dirname "$initdb"
}

as_postgres() {
  if ((EUID == 0)); then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  local dir="$1" port="$2" bin
  bin="$(bin_dir)"
  mkdir -p "$dir"
  if ((EUID == 0)); then
    chown postgres "$dir"
    runuser -u postgres -- test -w "$dir" || die "the postgres user cannot reach $dir: every folder above it must be searchable (chmod o+x)"
  fi
  if [[ ! -f "$dir/data/PG_VERSION" ]]; then
    as_postgres "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; die "initdb failed in $dir"; }
  fi
  local options="-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300"
  [[ "${VOICEMESH_PG_FAST:-}" == 1 ]] && options+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 -o "$options" start >/dev/null \
    || { tail -n 20 "$dir/postgres.log" >&2; die "PostgreSQL did not start on 127.0.0.1:$port"; }
  echo "$port" >"$dir/port"
  echo "Host=127.0.0.1;Port=$port;Username=postgres;Password=postgres;Database=postgres"
}

stop() {
  local dir="$1" bin
  [[ -f "$dir/data/postmaster.pid" ]] || return 0
  bin="$(bin_dir)"
  as_postgres "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
}

case "${1:-}" in
  start) [[ $# -eq 3 ]] || die "usage: postgres.sh start DIR PORT"; start "$2" "$3" ;;
  stop) [[ $# -eq 2 ]] || die "usage: postgres.sh stop DIR"; stop "$2" ;;
  *) die "usage: postgres.sh start DIR PORT | stop DIR" ;;
esac
