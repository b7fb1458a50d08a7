"""Sessions (issue 27): a Python kernel per trajectory, state across cells, every limit and
status, isolation between sessions, the caps and the reaper, on both sandbox backends."""

from __future__ import annotations

import asyncio
import hashlib
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from reward_service.app import create_app
from tests.conftest import SANDBOX_BACKENDS, make_settings, require_backend


@pytest.fixture(scope="module", params=SANDBOX_BACKENDS)
def sessions(request: pytest.FixtureRequest) -> Iterator[TestClient]:
    backend = request.param
    require_backend(backend)
    settings = make_settings(sandbox_backend=backend, sandbox_pool_size=1, session_max_open=16)
    with TestClient(create_app(settings)) as client:
        yield client


def open_session(client: TestClient, **body: Any) -> str:
    answer = client.post("/sessions", json=body)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def run(client: TestClient, session: str, code: str) -> dict[str, Any]:
    answer = client.post(f"/sessions/{session}/run", json={"code": code})
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def test_state_persists_between_cells(sessions: TestClient) -> None:
    session = open_session(sessions, files={"data.txt": "3 4\n"})
    first = run(sessions, session, "import math\nx = 41\ndef twice(n):\n    return 2 * n\nprint('hello')")
    assert (first["status"], first["stdout"], first["value"], first["cell"]) == ("ok", "hello\n", None, 1)
    second = run(sessions, session, "y = twice(x) - 74\nmath.sqrt(y * 8)")
    assert (second["status"], second["value"]) == ("ok", "8.0")
    # Files: the session's own from the start, and what a cell writes, are there for the next.
    third = run(sessions, session, "open('out.txt', 'w').write(open('data.txt').read().upper() + 'x')")
    assert third["status"] == "ok"
    fourth = run(sessions, session, "open('out.txt').read()")
    assert fourth["value"] == repr("3 4\nx")
    assert not fourth["restarted"] and not fourth["state_lost"]
    described = sessions.get(f"/sessions/{session}").json()
    assert described["cells"] == 4 and described["busy"] is False and described["cpu_used_s"] >= 0
    assert sessions.delete(f"/sessions/{session}").status_code == 204


def test_errors_are_values_and_keep_the_state(sessions: TestClient) -> None:
    session = open_session(sessions)
    run(sessions, session, "counter = 1")
    failed = run(sessions, session, "counter += 1\nprint('before')\n1 / 0")
    assert failed["status"] == "error" and failed["stdout"] == "before\n"
    assert failed["error"]["type"] == "ZeroDivisionError"
    assert "<cell 2>" in failed["error"]["traceback"] and "py_kernel" not in failed["error"]["traceback"]
    syntax = run(sessions, session, "def broken(:")
    assert syntax["status"] == "error" and syntax["error"]["type"] == "SyntaxError"
    exited = run(sessions, session, "raise SystemExit(3)")
    assert exited["status"] == "error" and exited["error"]["type"] == "SystemExit"
    assert run(sessions, session, "counter")["value"] == "2"  # the failed cell's first line ran
    stderr = run(sessions, session, "import sys\nprint('warn', file=sys.stderr)")
    assert stderr["stderr"] == "warn\n"


def test_a_timeout_ends_the_kernel_and_says_the_state_is_lost(sessions: TestClient) -> None:
    session = open_session(sessions, limits={"time_s": 0.5})
    run(sessions, session, "x = 1\nopen('kept.txt', 'w').write('kept')")
    spun = run(sessions, session, "while True:\n    pass")
    assert (spun["status"], spun["state_lost"]) == ("timeout", True)
    assert 0.4 < spun["cpu_s"] < 3
    after = run(sessions, session, "import os\n(os.path.exists('kept.txt'), 'x' in globals())")
    assert after["restarted"] is True and after["value"] == "(True, False)"
    slept = run(sessions, session, "import time\ntime.sleep(60)")  # wall time: 2 * 0.5 + 1 s
    assert (slept["status"], slept["state_lost"]) == ("timeout", True) and slept["wall_s"] < 10


def test_memory_and_output_limits(sessions: TestClient) -> None:
    session = open_session(sessions, limits={"memory_mb": 64, "output_kb": 4})
    run(sessions, session, "x = 5")
    hog = run(sessions, session, "blocks = []\nwhile True:\n    blocks.append(bytearray(8 << 20))")
    assert hog["status"] == "memory_limit"
    loud = run(sessions, session, "while True:\n    print('y' * 1000)")
    assert (loud["status"], loud["state_lost"]) == ("output_limit", True)
    assert len(loud["stdout"]) <= 4 * 1024
    assert run(sessions, session, "1 + 1")["value"] == "2"


def test_the_session_cpu_budget_is_shared_by_its_cells(sessions: TestClient) -> None:
    session = open_session(sessions, limits={"time_s": 0.5, "cpu_s": 0.6})
    run(sessions, session, "while True:\n    pass")
    spent = run(sessions, session, "1")
    if spent["status"] == "ok":  # the first cell stopped a little before 0.6 s: one more spin spends it
        run(sessions, session, "while True:\n    pass")
        spent = run(sessions, session, "1")
    assert spent["status"] == "timeout" and spent["error"]["type"] == "SessionCpuSpent"


def test_sessions_do_not_see_each_other(sessions: TestClient, listener: socket.socket) -> None:
    first, second = open_session(sessions), open_session(sessions)
    run(sessions, first, "secret = 'first'\nopen('secret.txt', 'w').write('first')")
    peek = run(
        sessions,
        second,
        "import os, glob\n('secret' in globals(), os.path.exists('secret.txt'), "
        "[p for p in os.listdir('/proc') if p.isdigit() and open(f'/proc/{p}/cmdline').read().find('secret') >= 0])",
    )
    assert peek["status"] == "ok" and peek["value"] == "(False, False, [])"
    port = listener.getsockname()[1]
    net = run(sessions, second, f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2)")
    assert net["status"] == "error" and net["error"]["type"] in {"OSError", "ConnectionRefusedError", "PermissionError"}
    with pytest.raises(BlockingIOError):
        listener.accept()  # nothing reached the host's port


def test_unknown_and_ended_sessions_are_404_and_big_cells_413(sessions: TestClient) -> None:
    assert sessions.post("/sessions/nope/run", json={"code": "1"}).status_code == 404
    assert sessions.get("/sessions/nope").status_code == 404
    session = open_session(sessions)
    assert sessions.post(f"/sessions/{session}/run", json={"code": "x" * 200_000}).status_code == 413
    assert sessions.delete(f"/sessions/{session}").status_code == 204
    assert sessions.post(f"/sessions/{session}/run", json={"code": "1"}).status_code == 404
    assert sessions.delete(f"/sessions/{session}").status_code == 404
    assert sessions.post("/sessions", json={"language": "cobol"}).status_code == 422
    assert sessions.post("/sessions", json={"files": {"../x": ""}}).status_code == 422


@pytest.mark.parametrize("backend", SANDBOX_BACKENDS)
def test_a_cell_sent_while_another_runs_is_409(backend: str) -> None:
    require_backend(backend)
    settings = make_settings(sandbox_backend=backend, sandbox_pool_size=1)

    async def concurrently() -> list[int]:
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                session = (await client.post("/sessions", json={})).json()["id"]
                slow = client.post(f"/sessions/{session}/run", json={"code": "import time\ntime.sleep(1.5)"})
                task = asyncio.ensure_future(slow)
                await asyncio.sleep(0.5)
                second = await client.post(f"/sessions/{session}/run", json={"code": "1"})
                first = await task
                return [first.status_code, second.status_code]

    assert asyncio.run(concurrently()) == [200, 409]


@pytest.mark.parametrize("backend", SANDBOX_BACKENDS)
def test_another_tokens_session_is_404(backend: str) -> None:
    require_backend(backend)
    settings = make_settings(sandbox_backend=backend, sandbox_pool_size=1, api_tokens="alice-token,bob-token")
    with TestClient(create_app(settings)) as client:
        alice = {"authorization": "Bearer alice-token"}
        bob = {"authorization": "Bearer bob-token"}
        session = client.post("/sessions", json={}, headers=alice).json()["id"]
        assert client.post(f"/sessions/{session}/run", json={"code": "1"}, headers=bob).status_code == 404
        assert client.get(f"/sessions/{session}", headers=bob).status_code == 404
        assert client.delete(f"/sessions/{session}", headers=bob).status_code == 404
        assert client.post(f"/sessions/{session}/run", json={"code": "1"}, headers=alice).json()["value"] == "1"


@pytest.mark.parametrize("backend", SANDBOX_BACKENDS)
def test_the_caps_are_429_with_retry_after_and_idle_sessions_are_reaped(backend: str) -> None:
    require_backend(backend)
    settings = make_settings(
        sandbox_backend=backend,
        sandbox_pool_size=1,
        session_max_open=2,
        session_idle_ttl_s=1.0,
        retry_after_s=3,
    )
    with TestClient(create_app(settings)) as client:
        open_session(client)
        open_session(client)
        full = client.post("/sessions", json={})
        assert full.status_code == 429 and full.headers["retry-after"] == "3"
        assert "REWARD_SESSION_MAX_OPEN" in full.text
        deadline = time.monotonic() + 15
        while client.post("/sessions", json={}).status_code == 429:
            assert time.monotonic() < deadline, "idle sessions were not reaped after their TTL"
            time.sleep(0.25)


@pytest.mark.parametrize("backend", SANDBOX_BACKENDS)
def test_per_token_cap(backend: str) -> None:
    require_backend(backend)
    settings = make_settings(sandbox_backend=backend, sandbox_pool_size=1, session_max_per_token=1)
    with TestClient(create_app(settings)) as client:
        open_session(client)
        refused = client.post("/sessions", json={})
        assert refused.status_code == 429 and "REWARD_SESSION_MAX_PER_TOKEN" in refused.text


def test_a_failed_sandbox_is_sandbox_error_and_the_session_goes_on_in_a_fresh_one() -> None:
    settings = make_settings(sandbox_backend="bwrap", sandbox_pool_size=1)
    with TestClient(create_app(settings)) as client:
        session = open_session(client, files={"f.txt": "kept"})
        run(client, session, "x = 1")
        # The sandbox dies under the session (as an OOM kill of the whole sandbox would have it).
        held = client.app.state.sessions.get(hashlib.sha256(b"").hexdigest(), session)
        held.kernel._session.process.kill()
        failed = run(client, session, "x")
        assert (failed["status"], failed["state_lost"]) == ("sandbox_error", True)
        after = run(client, session, "open('f.txt').read(), 'x' in globals()")
        assert after["restarted"] is True and after["value"] == "('kept', False)"


def test_a_redis_server_without_session_workers_says_how_to_start_one() -> None:
    from devstack.local_stack import running_redis

    with running_redis() as redis:
        settings = make_settings(redis_url=redis.url, sandbox_pool_size=1)
        with TestClient(create_app(settings)) as client:
            refused = client.post("/sessions", json={})
            assert refused.status_code == 503 and "reward-service worker --queue sessions" in refused.text
            assert client.post("/sessions/nope/run", json={"code": "1"}).status_code == 404
