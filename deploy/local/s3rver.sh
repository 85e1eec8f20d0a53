#!/usr/bin/env bash
# An S3-compatible server on 127.0.0.1 (npm s3rver 3.7.1, installed into deploy/local/.node when missing), storing
# objects under DIR/data.
#
#   s3rver.sh start DIR PORT    starts it on 127.0.0.1:PORT, waits until it answers and prints one line on stdout,
#                               what a client needs:
#                               ServiceUrl=http://127.0.0.1:PORT;Region=us-east-1;AccessKey=S3RVER;SecretKey=S3RVER;ForcePathStyle=true
#                               Starting one that already runs from DIR on PORT just prints it again.
#   s3rver.sh stop DIR          SIGTERM, SIGKILL after 10 s; succeeds when it is not running. The data stays in
#                               DIR/data until DIR is removed.
#
# A client must send PutObject and UploadPart without chunk encoding (AWSSDK: UseChunkEncoding = false): s3rver
# answers 200 to 'aws-chunked' bodies but stores the chunk framing inside the object.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

S3RVER_PATTERN='s3rver'

usage() { die "usage: s3rver.sh start DIR PORT | s3rver.sh stop DIR"; }

client_settings() {
  echo "ServiceUrl=http://127.0.0.1:$1;Region=us-east-1;AccessKey=S3RVER;SecretKey=S3RVER;ForcePathStyle=true"
}

# Any HTTP answer means the server is up.
answers() {
  local code
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$1/" 2>/dev/null || true)"
  [[ -n "$code" && "$code" != 000 ]]
}

start() {
  local dir="$1" port="$2"
  require_port PORT "$port"
  ensure_apt curl
  ensure_s3rver
  dir="$(absolute_dir "$dir")"

  local pid
  pid="$(read_pid "$dir/s3rver.pid")"
  if pid_is "$pid" "$S3RVER_PATTERN"; then
    [[ "$(cat "$dir/port" 2>/dev/null)" == "$port" ]] \
      || die "s3rver already runs from $dir on port $(cat "$dir/port" 2>/dev/null || echo '?'); stop it first"
    wait_until 30 answers "$port" || die "the s3rver running from $dir does not answer on 127.0.0.1:$port"
    log "s3rver already running on 127.0.0.1:$port ($dir)"
    client_settings "$port"
    return 0
  fi
  ! port_open "$port" || die "127.0.0.1:$port is already in use: choose another PORT"

  echo "$port" >"$dir/port"
  mkdir -p "$dir/data"
  local started=$SECONDS
  # Its own session, so a terminal's Ctrl-C does not reach it; stdout/stderr to a file, so a caller reading our
  # stdout is not kept waiting.
  (cd "$dir" && exec setsid nohup "$S3RVER" --address 127.0.0.1 --port "$port" --directory "$dir/data" \
    --no-vhost-buckets </dev/null >>"$dir/s3rver.log" 2>&1) &
  pid=$!
  echo "$pid" >"$dir/s3rver.pid"
  until answers "$port"; do
    if ! pid_alive "$pid"; then
      tail -n 20 "$dir/s3rver.log" >&2 || true
      die "s3rver exited during start-up (log: $dir/s3rver.log)"
    fi
    if ((SECONDS - started > 60)); then
      tail -n 20 "$dir/s3rver.log" >&2 || true
      stop "$dir"
      die "s3rver did not answer on 127.0.0.1:$port within 60 s (log: $dir/s3rver.log)"
    fi
    sleep 0.2
  done
  log "s3rver on 127.0.0.1:$port ($dir, $((SECONDS - started)) s)"
  client_settings "$port"
}

stop() {
  local dir="$1" pid
  [[ -d "$dir" ]] || return 0
  pid="$(read_pid "$dir/s3rver.pid")"
  stop_pid "$pid" "$S3RVER_PATTERN" 10
  rm -f "$dir/s3rver.pid"
}

case "${1:-}" in
  start) [[ $# -eq 3 ]] || usage; start "$2" "$3" ;;
  stop) [[ $# -eq 2 ]] || usage; stop "$2" ;;
  *) usage ;;
esac
