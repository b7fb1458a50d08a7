"""Nothing of one run outlives it: System V IPC objects and their memory, across the runs
of an item and across the items of one sandbox session, and a program that fills its
session's memory to starve the sandbox's own driver gets memory_limit (a 0), never null.

One session per backend (pool of 1), so every item here runs where the one before ran.
The attacks of tests/attacks/ (ipc_*, starve_driver_*) cover the same holes in a batch."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest
from conftest import SANDBOX_BACKENDS, code_item, make_settings, require_backend, score, stdio
from fastapi.testclient import TestClient

from reward_service.app import create_app

# The server's memory cap, small enough that the sandbox's tmpfs mounts can fill a session.
_SMALL_MAX_MB = 64


def _one_session(backend: str, max_memory_mb: int) -> Iterator[TestClient]:
    require_backend(backend)
    settings = make_settings(
        sandbox_backend=backend, sandbox_pool_size=1, code_time_s=10.0, code_max_memory_mb=max_memory_mb
    )
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture(scope="module", params=SANDBOX_BACKENDS)
def one_session(request: pytest.FixtureRequest) -> Iterator[TestClient]:
    yield from _one_session(request.param, 1024)


@pytest.fixture(scope="module", params=SANDBOX_BACKENDS)
def small_session(request: pytest.FixtureRequest) -> Iterator[TestClient]:
    """A session whose memory the sandbox's tmpfs mounts can fill, on either backend."""
    yield from _one_session(request.param, _SMALL_MAX_MB)


_LEAVE_A_SEMAPHORE = """
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
semaphores = libc.semget(0x600D, 1, 0o1000 | 0o600)
print("made" if semaphores >= 0 and libc.semctl(semaphores, 0, 16, 7) == 0 else "refused")  # SETVAL 7
"""
_LOOK_FOR_IPC = """
rows = []
for table in ("shm", "sem", "msg"):
    with open(f"/proc/sysvipc/{table}") as handle:
        rows += [f"{table} {line.split()[0]}" for line in handle.read().splitlines()[1:]]
print(rows or "none")
"""


def test_an_items_ipc_objects_are_gone_for_the_next_item(one_session: TestClient) -> None:
    left = score(one_session, [code_item("leaves", _LEAVE_A_SEMAPHORE, stdio(("", "made")))])[0]
    assert left["status"] == "accepted", left
    looked = score(one_session, [code_item("looks", _LOOK_FOR_IPC, stdio(("", "none")))])[0]
    assert looked["status"] == "accepted", looked


def test_a_correct_120_mb_program_passes_after_any_number_of_polluters(one_session: TestClient) -> None:
    polluter = importlib.import_module("attacks.ipc_memory_pollution")
    for round_ in range(3):
        item = code_item(f"polluter{round_}", polluter.PROGRAM, polluter.TESTS, limits=polluter.LIMITS)
        assert score(one_session, [item])[0]["score"] == 0.0
    program, tests, limits = polluter.NEIGHBOURS[0]
    honest = score(one_session, [code_item("honest", program, tests, limits=limits)])[0]
    assert honest["status"] == "accepted", honest


@pytest.mark.parametrize("name", ["starve_driver_tmpfs", "starve_driver_shm"])
def test_starving_the_driver_is_the_programs_memory_limit(small_session: TestClient, name: str) -> None:
    attack = importlib.import_module(f"attacks.{name}")
    limits = {**attack.LIMITS, "memory_mb": _SMALL_MAX_MB}
    verdict = score(small_session, [code_item("starver", attack.PROGRAM, attack.TESTS, limits=limits)])[0]
    assert verdict["status"] == "memory_limit" and verdict["score"] == 0.0, verdict
    # Whatever became of the session, the next item is judged as usual.
    after = score(small_session, [code_item("after", "print(input())", stdio(("7", "7")))])[0]
    assert after["status"] == "accepted", after
