"""The RQ worker liveness probe the Kubernetes manifests run, against a real redis-server."""

from __future__ import annotations

import os
import subprocess
import sys

from rq import Worker

from devstack.local_stack import running_redis


def probe(redis_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reward_service.worker_probe"],
        env={**os.environ, "REWARD_REDIS_URL": redis_url},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_probe_follows_the_workers_registration() -> None:
    with running_redis() as redis:
        first = probe(redis.url)
        assert first.returncode == 1 and "no RQ worker" in first.stderr

        worker = Worker(["math"], connection=redis.client())
        worker.register_birth()
        assert probe(redis.url).returncode == 0

        worker.register_death()
        assert probe(redis.url).returncode == 1

        redis.stop()
        unreachable = probe(redis.url)
        assert unreachable.returncode == 0, unreachable.stderr  # a Redis outage is not the worker's fault
        assert "unreachable" in unreachable.stderr


def test_probe_without_a_redis_url_fails() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("REWARD_REDIS_URL", "REDIS_URL")}
    result = subprocess.run(
        [sys.executable, "-m", "reward_service.worker_probe"], env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 1 and "REWARD_REDIS_URL" in result.stderr


def test_a_worker_whose_redis_is_unreachable_says_so_in_one_line() -> None:
    import os
    import subprocess
    import sys

    finished = subprocess.run(
        [sys.executable, "-m", "reward_service.cli", "worker", "--queue", "math", "--processes", "1"],
        env={**os.environ, "REWARD_REDIS_URL": "redis://:secret@127.0.0.1:1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = finished.stdout + finished.stderr
    assert finished.returncode == 1, output
    assert "Traceback" not in output and "secret" not in output, output
    assert "Redis at redis://:***@127.0.0.1:1 is unreachable" in output
