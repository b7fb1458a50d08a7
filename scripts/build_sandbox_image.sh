#!/usr/bin/env bash
# Builds the sandbox image (reward_sandbox/images/Dockerfile) that the docker backend runs
# untrusted programs in. Offline here: the base image comes from scripts/make_base_image.sh.
# Docker's layer cache makes a rebuild with no change take about a second.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE="${REWARD_SANDBOX_IMAGE:-reward-sandbox:0.1.0}"
BASE="${SANDBOX_BASE_IMAGE:-debian:bookworm-slim}"
bash scripts/make_base_image.sh "$BASE"
# The docker backend refuses an image whose harness differs from the service's own.
PYTHON="${PYTHON:-python3}"
DIGEST=$(PYTHONPATH=. "$PYTHON" -c 'from reward_sandbox.backends.base import harness_digest; print(harness_digest())')
docker build --quiet --network host --build-arg BASE_IMAGE="$BASE" --label "reward-service.harness=$DIGEST" \
    -f reward_sandbox/images/Dockerfile -t "$IMAGE" reward_sandbox >/dev/null
echo "build_sandbox_image: $IMAGE ready"
