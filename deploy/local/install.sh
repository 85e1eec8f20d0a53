#!/usr/bin/env bash
# Installs what the local mesh and the tests need, and only what is missing: with apt, PostgreSQL and RabbitMQ, curl
# for readiness checks, jq for reading the service manifest (deploy/mesh.json), Node.js and npm; with npm, into
# deploy/local/.node, the blob storage servers the Recordings tests use (Azurite, s3rver); espeak-ng for the VAD accuracy
# test; from the npm registry, into deploy/local/.models, the Silero VAD model of MediaStreams (SHA-256 checked); from
# Debian's prometheus package, into deploy/local/.tools, promtool for the alert-rule test; Chromium for the operations
# console's browser test.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

ensure_apt postgresql rabbitmq-server curl jq nodejs npm espeak-ng chromium
ensure_azurite
ensure_s3rver
ensure_silero_model >/dev/null
ensure_promtool >/dev/null
