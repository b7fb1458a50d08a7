#!/usr/bin/env bash
# Makes the Debian base image our Dockerfiles build FROM, without a registry:
# debootstrap a minimal bookworm root filesystem from the machine's own apt
# mirror and `docker import` it as debian:bookworm-slim. Where a registry is
# reachable, `docker pull debian:bookworm-slim` gives the same starting point.
# Skips all work when the image already exists.
set -euo pipefail

IMAGE="${1:-debian:bookworm-slim}"
if docker image inspect "$IMAGE" >/dev/null 2>&1; then
    exit 0
fi
if docker pull "$IMAGE" >/dev/null 2>&1; then
    exit 0
fi

mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | grep -oE '^(URIs:|deb) +https?://[^ ]+/debian/?( |$)' | awk '{print $2}' | head -n 1 || true)
mirror="${mirror:-http://deb.debian.org/debian}"

rootfs=$(mktemp -d /tmp/reward-rootfs.XXXXXX)
trap 'rm -rf "$rootfs"' EXIT
echo "make_base_image: debootstrap bookworm from $mirror"
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/tmp/reward-debootstrap.log 2>&1 \
    || { tail -n 20 /tmp/reward-debootstrap.log >&2; exit 1; }
# The same apt sources a container from the public image would have.
echo "deb $mirror bookworm main" > "$rootfs/etc/apt/sources.list"
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
tar -C "$rootfs" -c . | docker import - "$IMAGE" >/dev/null
echo "make_base_image: imported $IMAGE"
