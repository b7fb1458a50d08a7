#!/usr/bin/env bash
# Installs and starts the real components the tests use, on a fresh Debian machine:
# the Docker engine (no bridge network: containers get --network none or host),
# bubblewrap, Redis (the tests start their own servers on loopback), the toolchains
# of every language programs run in, and the sandbox image, built offline when no
# registry is reachable.
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
# The toolchains of the languages programs run in (bwrap takes them from the host), found
# where the sandbox looks: /usr/local/bin, /usr/bin, /bin (a rustup in ~/.cargo is not seen).
on_sandbox_path() { [ -x "/usr/local/bin/$1" ] || [ -x "/usr/bin/$1" ] || [ -x "/bin/$1" ]; }
on_sandbox_path g++ || need+=(g++)
on_sandbox_path gcc || need+=(gcc libc6-dev)
on_sandbox_path node || need+=(nodejs)
on_sandbox_path javac || need+=(openjdk-17-jdk-headless)
on_sandbox_path go || need+=(golang-go)
on_sandbox_path rustc || need+=(rustc)
on_sandbox_path pypy3 || need+=(pypy3)
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
