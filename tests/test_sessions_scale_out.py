"""Sessions with Redis (issue 27): each session lives on one session worker, any API replica
routes its cells there, and a worker that dies turns its sessions into 410 Gone, never a hang.
Real redis-server, real `reward-service worker --queue sessions` processes."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from devstack.local_stack import RedisServer, WorkerProcess, running_redis
from reward_service.app import create_app
from reward_service.sessions import routing
from tests.conftest import SANDBOX_BACKENDS, make_settings, require_backend

pytestmark = pytest.mark.slow


@pytest.fixture
def redis() -> Iterator[RedisServer]:
    with running_redis() as server:
        yield server


def wait_for_session_workers(redis: RedisServer, count: int, timeout_s: float = 60) -> None:
    client = redis.client()
    deadline = time.monotonic() + timeout_s
    while True:
        workers = [key.decode() for key in client.hkeys(routing.WORKERS)]
        if sum(1 for worker in workers if client.exists(routing.alive_key(worker))) >= count:
            return
        assert time.monotonic() < deadline, f"{count} session workers did not come up"
        time.sleep(0.2)


@pytest.mark.parametrize("backend", SANDBOX_BACKENDS)
def test_cells_are_routed_to_the_worker_that_holds_the_session(redis: RedisServer, backend: str) -> None:
    require_backend(backend)
    env = {"REWARD_SANDBOX_BACKEND": backend}
    workers = [WorkerProcess(redis.url, queue="sessions", env=env) for _ in range(2)]
    try:
        wait_for_session_workers(redis, 2)
        settings = make_settings(redis_url=redis.url, sandbox_pool_size=1)
        # Two API replicas: no stickiness needed, either reaches any session.
        with TestClient(create_app(settings)) as first, TestClient(create_app(settings)) as second:
            one = first.post("/sessions", json={"files": {"n.txt": "40"}}).json()
            two = first.post("/sessions", json={}).json()
            assert one["worker"] != two["worker"]  # the one with the most room takes each
            assert (
                first.post(f"/sessions/{one['id']}/run", json={"code": "n = int(open('n.txt').read())"}).status_code
                == 200
            )
            answer = second.post(f"/sessions/{one['id']}/run", json={"code": "n + 2"}).json()
            assert (answer["status"], answer["value"], answer["cell"]) == ("ok", "42", 2)
            assert (
                second.post(f"/sessions/{two['id']}/run", json={"code": "'n' in globals()"}).json()["value"] == "False"
            )
            assert second.get(f"/sessions/{one['id']}").json()["cells"] == 2

            # The worker holding session one dies: its sessions are 410 Gone, within seconds.
            holder = next(worker for worker in workers if f":{worker.pid}:" in one["worker"])
            holder.kill()
            started = time.monotonic()
            gone = first.post(f"/sessions/{one['id']}/run", json={"code": "n"})
            while gone.status_code != 410:
                assert time.monotonic() - started < 20, gone.text
                time.sleep(0.5)
                gone = first.post(f"/sessions/{one['id']}/run", json={"code": "n"})
            assert "state is lost" in gone.text
            # The other worker's session goes on; a new session opens on the live worker.
            assert first.post(f"/sessions/{two['id']}/run", json={"code": "1 + 1"}).json()["value"] == "2"
            three = first.post("/sessions", json={})
            assert three.status_code == 201 and three.json()["worker"] == two["worker"]
            assert first.delete(f"/sessions/{two['id']}").status_code == 204
            assert first.get(f"/sessions/{two['id']}").status_code == 404
    finally:
        for worker in workers:
            worker.stop()


@pytest.mark.parametrize("backend", SANDBOX_BACKENDS)
def test_a_cell_running_when_its_worker_dies_is_410_not_a_hang(redis: RedisServer, backend: str) -> None:
    require_backend(backend)
    worker = WorkerProcess(redis.url, queue="sessions", env={"REWARD_SANDBOX_BACKEND": backend})
    try:
        wait_for_session_workers(redis, 1)
        settings = make_settings(redis_url=redis.url, sandbox_pool_size=1)
        with TestClient(create_app(settings)) as client:
            session = client.post("/sessions", json={"limits": {"time_s": 10}}).json()["id"]
            import threading

            killer = threading.Timer(1.0, worker.kill)
            killer.start()
            started = time.monotonic()
            answer = client.post(f"/sessions/{session}/run", json={"code": "import time\ntime.sleep(15)"})
            assert answer.status_code == 410, answer.text
            assert time.monotonic() - started < routing.ALIVE_TTL_S + 5
            killer.join()
    finally:
        worker.stop()


def test_another_tokens_session_is_404_across_workers(redis: RedisServer) -> None:
    worker = WorkerProcess(redis.url, queue="sessions")
    try:
        wait_for_session_workers(redis, 1)
        settings = make_settings(redis_url=redis.url, sandbox_pool_size=1, api_tokens="alice,bob")
        with TestClient(create_app(settings)) as client:
            alice, bob = {"authorization": "Bearer alice"}, {"authorization": "Bearer bob"}
            session = client.post("/sessions", json={}, headers=alice).json()["id"]
            assert client.post(f"/sessions/{session}/run", json={"code": "1"}, headers=bob).status_code == 404
            assert client.post(f"/sessions/{session}/run", json={"code": "1"}, headers=alice).json()["value"] == "1"
    finally:
        worker.stop()
