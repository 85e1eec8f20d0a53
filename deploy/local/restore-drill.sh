#!/usr/bin/env bash
# Restore drill for one service's event store: back it up, restore it into a fresh throwaway PostgreSQL cluster,
# rebuild the read models there from the events alone, and check they equal the originals.
#
#   restore-drill.sh --postgres CONNECTION --schema SCHEMA --service-dll PATH [--work DIR]
#
#   CONNECTION   the running mesh's Npgsql connection string (Host=...;Port=...;Username=...;Password=...;Database=...)
#   SCHEMA       the service's Marten schema (calls, conferences, recordings, numberpool, mediastreams)
#   PATH         the service's built assembly, e.g. artifacts/bin/VoiceMesh.Calls/release/VoiceMesh.Calls.dll
#   DIR          where the dump, the throwaway cluster and the logs go (default: a new folder under /tmp, removed after
#                a PASS and kept after a FAIL)
#
# Steps: pg_dump -Fc of SCHEMA (one consistent snapshot); initdb + start of a cluster on a free 127.0.0.1 port
# (deploy/local/postgres.sh); pg_restore; a copy of every document table (mt_doc_*) into the schema drill_expected; the
# service run once with EventStore__RebuildFromEventsAndExit=true against the restored database (it empties each read
# model's table and rebuilds it from the events through the same ReadModelRebuilder the online rebuild uses; its
# broker and Twilio point at the discard port, so nothing leaves the drill); then every copied table is compared with
# the rebuilt one, document by document (jsonb equality). Prints the figures and 'restore drill: PASS' (exit 0) or
# 'restore drill: FAIL' (exit 1). Stops only what it started: the cluster (pg_ctl on its own data folder) and the
# service process (by its pid).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

usage() { die "usage: restore-drill.sh --postgres CONNECTION --schema SCHEMA --service-dll PATH [--work DIR]"; }

connection="" schema="" dll="" work=""
while (($# > 0)); do
  case "$1" in
    --postgres) connection="${2:-}"; shift 2 || usage ;;
    --schema) schema="${2:-}"; shift 2 || usage ;;
    --service-dll) dll="${2:-}"; shift 2 || usage ;;
    --work) work="${2:-}"; shift 2 || usage ;;
    *) usage ;;
  esac
done
[[ -n "$connection" && -n "$schema" && -n "$dll" ]] || usage
[[ "$schema" =~ ^[a-z_][a-z0-9_]*$ ]] || die "--schema must be a lowercase PostgreSQL identifier, got '$schema'"
[[ -f "$dll" ]] || die "the service is not built: $dll"
command -v dotnet >/dev/null 2>&1 || die "the .NET SDK 10 is required (https://dot.net); 'dotnet' is not on PATH"
ensure_apt postgresql

# One setting of the Npgsql connection string (keys case-insensitive), or DEFAULT.
setting() {
  local key="$1" default="$2" pair name
  local pairs=()
  IFS=';' read -ra pairs <<<"$connection"
  for pair in "${pairs[@]}"; do
    name="${pair%%=*}"
    name="${name// /}"
    if [[ "${name,,}" == "${key,,}" ]]; then
      echo "${pair#*=}"
      return 0
    fi
  done
  echo "$default"
}
source_host="$(setting Host 127.0.0.1)"
source_port="$(setting Port 5432)"
source_user="$(setting Username postgres)"
source_database="$(setting Database postgres)"
export PGPASSWORD
PGPASSWORD="$(setting Password '')"

bin="$(dirname "$(compgen -G '/usr/lib/postgresql/*/bin/pg_dump' | sort -V | tail -n 1)")"
now() { date +%s.%N; }
seconds_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

created_work=false
if [[ -z "$work" ]]; then
  work="$(mktemp -d /tmp/voicemesh-drill.XXXXXX)"
  created_work=true
fi
work="$(absolute_dir "$work")"
chmod 755 "$work"
cluster="$work/cluster"
service_pid=""

cleanup() {
  if [[ -n "$service_pid" ]]; then
    stop_pid "$service_pid" '(^|/)dotnet .*\.dll( |$)' 10 || true
  fi
  "$here/postgres.sh" stop "$cluster" >/dev/null 2>&1 || log "could not stop the drill's cluster in $cluster"
}
trap cleanup EXIT

started="$(now)"
log "dumping schema $schema from $source_host:$source_port/$source_database"
step="$(now)"
"$bin/pg_dump" -h "$source_host" -p "$source_port" -U "$source_user" -d "$source_database" -n "$schema" -Fc \
  -f "$work/$schema.dump" || die "pg_dump of schema $schema failed"
dump_seconds="$(seconds_since "$step")"

step="$(now)"
port="$(free_port "$source_port")"
target="$("$here/postgres.sh" start "$cluster" "$port" | tail -n 1)"
psql_target() { "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
# Marten's functions and tables are owned by the dumped role; in the fresh cluster everything is owned by postgres.
"$bin/pg_restore" -h 127.0.0.1 -p "$port" -U postgres -d postgres --no-owner --no-privileges "$work/$schema.dump" \
  || die "pg_restore into the drill's cluster failed"
restore_seconds="$(seconds_since "$step")"

events="$(psql_target -c "select count(*) from $schema.mt_events")"
tables="$(psql_target -c "select string_agg(table_name, ' ' order by table_name) from information_schema.tables
  where table_schema = '$schema' and table_name like 'mt_doc_%'")"
[[ -n "$tables" ]] || die "schema $schema has no document tables to compare"
psql_target -c "create schema drill_expected"
for table in $tables; do
  psql_target -c "create table drill_expected.$table as select id, data from $schema.$table"
done

log "rebuilding the read models of $schema from $events events ($(basename "$dll"), one-shot)"
step="$(now)"
account="AC$(printf '0%.0s' {1..32})"
(cd "$(dirname "$dll")" && exec env -i PATH="$PATH" HOME="$HOME" ${DOTNET_ROOT:+DOTNET_ROOT="$DOTNET_ROOT"} \
  DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production Urls="http://127.0.0.1:$(free_port "$port")" \
  ConnectionStrings__Postgres="$target" Marten__Schema="$schema" EventStore__RebuildFromEventsAndExit=true \
  ConnectionStrings__RabbitMq="amqp://guest:guest@127.0.0.1:9/" Twilio__ApiBaseUrl="http://127.0.0.1:9/" \
  TWILIO_ACCOUNT_SID="$account" TWILIO_AUTH_TOKEN=restore-drill \
  Calls__PublicBaseUrl=https://drill.invalid Conferences__PublicBaseUrl=https://drill.invalid \
  NumberPool__PublicBaseUrl=https://drill.invalid MediaStreams__Restart__PublicBaseUrl=https://drill.invalid \
  BlobStorage__Directory="$work/blobs" \
  dotnet "$dll") >"$work/service.log" 2>&1 &
service_pid=$!
if ! wait_until "${VOICEMESH_DRILL_REBUILD_SECONDS:-600}" pid_gone "$service_pid"; then
  die "the one-shot rebuild did not finish within ${VOICEMESH_DRILL_REBUILD_SECONDS:-600} s (log: $work/service.log)"
fi
status=0
wait "$service_pid" || status=$?
service_pid=""
rebuild_seconds="$(seconds_since "$step")"
if ((status != 0)) || ! grep -q 'Rebuilt [0-9]* read models from the events' "$work/service.log"; then
  tail -n 40 "$work/service.log" >&2 || true
  echo "restore drill: FAIL (the one-shot rebuild exited $status without rebuilding; log: $work/service.log)"
  exit 1
fi

documents=0 differing=0
for table in $tables; do
  read -r count diff < <(psql_target -F ' ' -c "select
      (select count(*) from drill_expected.$table),
      (select count(*) from drill_expected.$table e full join $schema.$table r on r.id = e.id
        where e.id is null or r.id is null or e.data is distinct from r.data)")
  documents=$((documents + count))
  differing=$((differing + diff))
  if ((diff > 0)); then
    log "$table: $diff of $count documents differ after the rebuild, e.g.:"
    psql_target -c "select coalesce(e.id, r.id) from drill_expected.$table e full join $schema.$table r on r.id = e.id
      where e.id is null or r.id is null or e.data is distinct from r.data limit 5" >&2
  fi
done

total="$(seconds_since "$started")"
echo "restore drill: schema $schema, $events events, $documents documents in $(wc -w <<<"$tables") tables compared, $differing differ"
echo "restore drill: took $total s (dump $dump_seconds s, cluster start and restore $restore_seconds s, rebuild $rebuild_seconds s)"
if ((differing == 0)); then
  echo "restore drill: PASS"
  cleanup
  trap - EXIT
  [[ "$created_work" == false ]] || rm -rf -- "$work"
else
  echo "restore drill: FAIL (work folder kept: $work)"
  exit 1
fi
