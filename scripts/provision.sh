#!/usr/bin/env bash
# Installs and starts the real components the tests use, on a fresh Debian machine:
# the Docker engine (no bridge network: containers get --network none or host),
# bubblewrap, Redis (the tests start their own servers on loopback), and the
# sandbox image, built offline when no registry is reachable.
# Idempotent: whatever is already installed or running is left as it is.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v redis-server >/dev/null || need+=(redis-server)
command -v bwrap >/dev/null || need+=(bubblewrap)
# The compose smoke test: the v2 plugin where it exists, else Debian's docker-compose 1.29.
docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null || need+=(docker-compose)
if [ ${#need[@]} -gt 0 ]; then
    echo "provision: installing ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
    echo "provision: starting dockerd"
    # Never a bridge: untrusted code runs with --network none, test stacks on the host network.
    nohup dockerd --bridge=none --iptables=false --ip-masq=false >/var/log/reward-dockerd.log 2>&1 &
    for _ in $(seq 1 60); do
        docker info >/dev/null 2>&1 && break
        sleep 1
    done
    docker info >/dev/null 2>&1 || { echo "provision: dockerd did not start; see /var/log/reward-dockerd.log" >&2; exit 1; }
fi

if [ -x scripts/build_sandbox_image.sh ]; then
    bash scripts/build_sandbox_image.sh
fi

# The service image, for the compose smoke test (tests/test_compose_stack.py).
bash scripts/build_service_image.sh
