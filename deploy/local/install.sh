#!/usr/bin/env bash
# Installs what the local mesh and the tests need, and only what is missing: PostgreSQL and RabbitMQ from
# Debian/Ubuntu's apt, curl for readiness checks.
set -euo pipefail

missing=()
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
[[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]] || missing+=(rabbitmq-server)
command -v curl >/dev/null 2>&1 || missing+=(curl)

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "[voicemesh] installing ${missing[*]}" >&2
if ! command -v apt-get >/dev/null 2>&1; then
  echo "[voicemesh] apt-get not found: install ${missing[*]} with your package manager" >&2
  exit 1
fi
sudo_cmd=()
((EUID == 0)) || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
if ! "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2; then
  echo "[voicemesh] could not install; run: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
