#!/usr/bin/env bash
# Installs what the local mesh and the tests need, and only what is missing: with apt, PostgreSQL and RabbitMQ, curl
# for readiness checks, jq for reading the service manifest (deploy/mesh.json), Node.js and npm; with npm, into
# deploy/local/.node, the blob storage servers the Recordings tests use (Azurite, s3rver).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

ensure_apt postgresql rabbitmq-server curl jq nodejs npm
ensure_azurite
ensure_s3rver
