# The service image: `reward-service serve` (the API) and `reward-service worker`
# (RQ workers) from one image; the command picks the role (see docker-compose.yml).
#
# Builds FROM the public python:3.11-slim, or, where no registry is reachable,
# from a plain Debian made offline (scripts/make_base_image.sh), which gets
# Python 3.11 from apt:  docker build --network host --build-arg BASE_IMAGE=debian:bookworm-slim .
ARG BASE_IMAGE=python:3.11-slim
FROM ${BASE_IMAGE}

# What code workers with the bwrap backend run programs with (the sandbox binds this
# image's /usr read-only; its driver is /usr/bin/python3). Empty for an image that only
# serves the API and math workers:  --build-arg CODE_RUNTIMES=
ARG CODE_RUNTIMES="bubblewrap python3 g++ libc6-dev nodejs"

RUN packages="$CODE_RUNTIMES"; \
    command -v python3 >/dev/null 2>&1 || packages="$packages python3 python3-venv"; \
    if [ -n "$packages" ]; then \
        apt-get update \
        && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $packages \
        && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb; \
    fi \
    && python3 -m venv /opt/venv \
    && useradd --system --uid 10001 --gid 0 --home-dir /app --no-create-home reward

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    REWARD_HOST=0.0.0.0
WORKDIR /app

# Dependencies first, from the metadata alone: a source change rebuilds only the last layers.
# build-ca.pem (optional; scripts/build_service_image.sh provides it) is a CA bundle for
# pip behind a TLS-inspecting proxy; a plain build has none and pip uses its own.
# The client (reward_client, which `score --url` uses: the remote extra) is this repository's too: installed from here.
COPY pyproject.toml build-ca.pe[m] ./
COPY client/ client/
RUN if [ -s build-ca.pem ]; then export PIP_CERT=/app/build-ca.pem; fi \
    && mkdir -p reward_service reward_sandbox && touch README.md LICENSE reward_service/__init__.py reward_sandbox/__init__.py \
    && pip install "setuptools>=77" ./client ".[docker,remote]" && pip uninstall -y reward-service \
    && rm -rf reward_service reward_sandbox client build README.md LICENSE *.egg-info build-ca.pem

COPY README.md LICENSE ./
COPY reward_service/ reward_service/
COPY reward_sandbox/ reward_sandbox/
RUN pip install --no-deps --no-build-isolation . && rm -rf build *.egg-info

USER 10001
EXPOSE 8000
ENTRYPOINT ["reward-service"]
CMD ["serve"]
