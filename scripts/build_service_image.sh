#!/usr/bin/env bash
# Builds the service image (./Dockerfile) as reward-service:latest, or the tag given.
# FROM python:3.11-slim where a registry answers; otherwise FROM the Debian base that
# scripts/make_base_image.sh makes offline. pip inside the build uses this machine's CA
# bundle (PIP_CERT), so it also works behind a TLS-inspecting proxy.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE="${1:-reward-service:latest}"
BASE="${SERVICE_BASE_IMAGE:-python:3.11-slim}"
if ! docker image inspect "$BASE" >/dev/null 2>&1 && ! docker pull "$BASE" >/dev/null 2>&1; then
    BASE=debian:bookworm-slim
    bash scripts/make_base_image.sh "$BASE"
fi

ca="${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}"
if [ -s "$ca" ]; then
    cp "$ca" build-ca.pem
    trap 'rm -f build-ca.pem' EXIT
fi
docker build --quiet --network host --build-arg BASE_IMAGE="$BASE" -t "$IMAGE" . >/dev/null
echo "build_service_image: $IMAGE ready (from $BASE)"
