# Redis for the compose smoke test, from the same Debian base the other images use
# (made offline by scripts/make_base_image.sh where no registry is reachable).
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb
USER redis
ENTRYPOINT []
CMD ["redis-server"]
