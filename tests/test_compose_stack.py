"""Smoke test of the shipped stack: build the service image, `docker compose up` the API,
Redis and a math and a code worker (host network, tests/compose/host-network.yml), and
score one math and one code item through it.

Needs a Docker engine and docker compose (scripts/provision.sh installs both); skipped
without them outside CI, failed inside CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from redis import Redis
from rq import Worker

from devstack.subprocess_server import free_port
from reward_service.dispatch.rq_jobs import queue_name

REPO = Path(__file__).resolve().parent.parent
COMPOSE_FILES = ["-f", str(REPO / "docker-compose.yml"), "-f", str(REPO / "tests/compose/host-network.yml")]
BASE_IMAGE = "debian:bookworm-slim"

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def compose_command() -> list[str]:
    if subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return []


def docker_ready() -> bool:
    return (
        shutil.which("docker") is not None and subprocess.run(["docker", "info"], capture_output=True).returncode == 0
    )


def run(command: list[str], env: dict[str, str] | None = None, timeout_s: float = 600) -> None:
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout_s)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


@dataclass
class Stack:
    api: str
    redis_url: str
    logs: Callable[[], str]


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    compose = compose_command()
    if not (docker_ready() and compose):
        if os.environ.get("CI"):
            pytest.fail("CI needs a Docker engine and docker compose: run scripts/provision.sh")
        pytest.skip("no Docker engine or docker compose here")
    run(["bash", "scripts/build_service_image.sh", "reward-service:latest"])
    run(["bash", "scripts/build_sandbox_image.sh"])
    run(["bash", "scripts/make_base_image.sh", BASE_IMAGE])
    run(
        [
            "docker",
            "build",
            "--quiet",
            "--network",
            "host",
            "--build-arg",
            f"BASE_IMAGE={BASE_IMAGE}",
            "-t",
            "reward-test-redis:latest",
            "-f",
            "tests/compose/redis.Dockerfile",
            "tests/compose",
        ]
    )

    api_port, redis_port = free_port(), free_port()
    env = {
        **os.environ,
        "COMPOSE_PROJECT_NAME": f"reward-smoke-{uuid.uuid4().hex[:8]}",
        "API_PORT": str(api_port),
        "REDIS_PORT": str(redis_port),
        "DOCKER_GID": str(os.stat("/var/run/docker.sock").st_gid),
    }

    def logs() -> str:
        shown = subprocess.run(
            [*compose, *COMPOSE_FILES, "logs", "--tail", "30"], cwd=REPO, env=env, capture_output=True, text=True
        )
        return shown.stdout[-8000:] + shown.stderr[-2000:]

    try:
        run([*compose, *COMPOSE_FILES, "up", "-d", "--no-build"], env=env, timeout_s=300)
        yield Stack(f"http://127.0.0.1:{api_port}", f"redis://127.0.0.1:{redis_port}/0", logs)
    finally:
        subprocess.run(
            [*compose, *COMPOSE_FILES, "down", "--remove-orphans", "-t", "10"],
            cwd=REPO,
            env=env,
            capture_output=True,
            timeout=180,
        )


def wait_until_serving(api: str, redis_url: str, timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    client = Redis.from_url(redis_url)
    while True:
        try:
            queues = {q.name for w in Worker.all(connection=client) for q in w.queues}
            if (
                httpx.get(f"{api}/readyz", timeout=2).status_code == 200
                and {
                    queue_name("math"),
                    queue_name("code"),
                }
                <= queues
            ):
                return
        except Exception:
            pass
        assert time.monotonic() < deadline, "the compose stack did not come up (API ready, a math and a code worker)"
        time.sleep(1)


def test_compose_stack_scores_a_math_and_a_code_item(stack: Stack) -> None:
    try:
        wait_until_serving(stack.api, stack.redis_url)
        items = [
            {"id": "m", "task": "math", "response": "so $\\boxed{\\frac{1}{2}}$", "ground_truth": "0.5"},
            {
                "id": "c",
                "task": "code",
                "response": "```python\nprint(int(input()) * 2)\n```",
                "tests": {"kind": "stdio", "cases": [{"input": "21\n", "output": "42\n"}]},
            },
        ]
        response = httpx.post(f"{stack.api}/score", json={"items": items, "options": {"deadline_s": 120}}, timeout=180)
        assert response.status_code == 200, response.text
        math, code = response.json()["results"]
        assert (math["id"], math["status"], math["score"]) == ("m", "correct", 1.0)
        assert code["id"] == "c"
        assert (code["status"], code["score"]) == ("accepted", 1.0), code
    except BaseException:
        print(stack.logs())  # what each container said last
        raise
