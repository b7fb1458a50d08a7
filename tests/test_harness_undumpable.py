"""A driver or runner that cannot make itself undumpable says so, and nothing runs.

docs/security.md relies on the driver and the Python runner being undumpable (their
/proc entries closed to the program, which runs as the same uid). Where the kernel
refuses the prctl, the driver puts `undumpable_error` in every reply and runs
nothing, the host discards the session without a retry, and the runner reports
`harness_error` before loading the program, which the verifier reads as sandbox_error.
The refusal is forced by replacing `undumpable.make_undumpable` in a bootstrap that
then starts the real driver or runner; how make_undumpable itself sees a refusal is
tested with a libc whose prctl fails.
"""

from __future__ import annotations

import asyncio
import ctypes
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from reward_sandbox import LANGUAGES, Limits, SessionBroken
from reward_sandbox.backends.base import HARNESS_DIR
from reward_sandbox.session import MAX_REPLY_BYTES, ProcessSession
from reward_service.verifiers.code.attempts import execute_with_retry
from reward_service.verifiers.code.kinds import RunContext
from reward_service.verifiers.code.kinds.runner import judge_failed_outcome
from reward_service.verifiers.verdict import Verdict

REASON = "prctl(PR_SET_DUMPABLE, 0) failed: refused by the test"
LIMITS = {"time_s": 2, "wall_s": 5, "memory_mb": 256, "file_kb": 1024, "output_kb": 64}


def _bootstrap(module: str, refuse: bool) -> list[str]:
    """argv that starts the harness's `module` (its main()), with the prctl refused or not."""
    patch = f"undumpable.make_undumpable = lambda: {REASON!r}\n" if refuse else ""
    code = (
        f"import sys\nsys.path.insert(0, {str(HARNESS_DIR)!r})\nimport undumpable\n{patch}"
        f"import {module}\n{module}.main()\n"
    )
    return [sys.executable, "-S", "-c", code]


def _undumpable_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("harness_undumpable", HARNESS_DIR / "undumpable.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Libc:
    """libc as the harness sees it through ctypes, with prctl answering as told."""

    def __init__(self, set_result: int, get_result: int) -> None:
        self.set_result, self.get_result = set_result, get_result

    def prctl(self, option: int, *rest: int) -> int:
        return self.set_result if option == 4 else self.get_result


@pytest.mark.parametrize(
    ("set_result", "get_result", "says"),
    [(-1, 1, "PR_SET_DUMPABLE, 0) failed"), (0, 1, "still dumpable")],
)
def test_make_undumpable_reports_a_refused_prctl(
    monkeypatch: pytest.MonkeyPatch, set_result: int, get_result: int, says: str
) -> None:
    undumpable = _undumpable_module()
    monkeypatch.setattr(ctypes, "CDLL", lambda *args, **kwargs: _Libc(set_result, get_result))
    error = undumpable.make_undumpable()
    assert error is not None and says in error


def test_make_undumpable_clears_the_flag() -> None:
    # In a process of its own: the test process itself stays dumpable.
    code = (
        f"import ctypes, sys\nsys.path.insert(0, {str(HARNESS_DIR)!r})\nimport undumpable\n"
        "print(undumpable.make_undumpable(), ctypes.CDLL(None).prctl(3, 0, 0, 0, 0))\n"
    )
    done = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True, timeout=30)
    assert done.stdout.split() == ["None", "0"], done.stderr


def _driver_request(marker: Path) -> dict[str, Any]:
    run = {"argv": [sys.executable, "-c", f"open({str(marker)!r}, 'w').close()"]}
    return {"nonce": "n" * 32, "limits": LIMITS, "files": {}, "runs": [run]}


@pytest.mark.parametrize("refuse", [True, False])
def test_driver_that_is_not_undumpable_runs_nothing_and_says_why(tmp_path: Path, refuse: bool) -> None:
    marker = tmp_path / "ran"
    work = tmp_path / "box"
    work.mkdir()
    done = subprocess.run(
        _bootstrap("driver", refuse),
        input=json.dumps(_driver_request(marker)) + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        env={"SANDBOX_WORK_ROOT": str(work), "PATH": os.environ["PATH"]},
    )
    reply = json.loads(done.stdout)
    assert reply["nonce"] == "n" * 32
    if refuse:
        assert reply["undumpable_error"] == REASON
        assert reply["runs"] == [] and not marker.exists()
    else:
        assert "undumpable_error" not in reply
        assert [run["exit_code"] for run in reply["runs"]] == [0] and marker.exists()


class _OneSessionPool:
    """A pool of one driver process: what the verifier's retry loop sends requests to."""

    def __init__(self, argv: list[str], work: Path) -> None:
        self.argv, self.work = argv, work
        self.sessions = 0

    async def execute(self, payload: dict[str, Any], timeout_s: float) -> dict[str, Any]:
        self.sessions += 1
        process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env={"SANDBOX_WORK_ROOT": str(self.work), "PATH": os.environ["PATH"]},
            limit=MAX_REPLY_BYTES,
        )
        session = ProcessSession(process)
        try:
            return await session.request(payload, timeout_s)
        finally:
            await session.close()


def test_host_discards_the_session_without_a_retry(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    pool = _OneSessionPool(_bootstrap("driver", True), tmp_path)

    async def direct() -> None:
        with pytest.raises(SessionBroken, match="undumpable") as broken:
            await pool.execute(_driver_request(marker), 30)
        assert broken.value.retryable is False and not broken.value.out_of_memory

    asyncio.run(direct())

    def judge(reply: dict[str, Any], payload: dict[str, Any]) -> Verdict:
        raise AssertionError("a reply of a dumpable driver must never be judged")

    def starved(exc: SessionBroken) -> Verdict:
        raise AssertionError("not a memory failure")

    pool.sessions = 0
    verdict = asyncio.run(
        execute_with_retry(
            pool,  # type: ignore[arg-type]
            lambda: (_driver_request(marker), 30.0),
            judge,
            starved,
            "no sandbox",
        )
    )
    assert verdict.status == "sandbox_error" and REASON in verdict.details["error"]
    assert pool.sessions == 1, "a session that could not protect itself is not tried again"
    assert not marker.exists()


def _run_runner(tmp_path: Path, refuse: bool) -> tuple[dict[str, Any], subprocess.CompletedProcess[str]]:
    marker = tmp_path / "loaded"
    (tmp_path / "solution.py").write_text(f"open({str(marker)!r}, 'w').close()\ndef f(x):\n    return x + 1\n")
    read_end, write_end = os.pipe()
    request = {"nonce": "m" * 32, "program": "solution.py", "mode": "call", "fn_name": "f", "args": [1]}
    try:
        done = subprocess.run(
            _bootstrap("py_runner", refuse),
            input=json.dumps(request),
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp_path,
            env={"RESULT_FD": str(write_end), "PATH": os.environ["PATH"]},
            pass_fds=(write_end,),
        )
    finally:
        os.close(write_end)
    with os.fdopen(read_end) as results:
        lines = results.read().splitlines()
    assert len(lines) == 1, (lines, done.stderr)
    return json.loads(lines[0]), done


def test_runner_that_is_not_undumpable_never_loads_the_program(tmp_path: Path) -> None:
    outcome, done = _run_runner(tmp_path, refuse=True)
    assert done.returncode == 0, done.stderr
    assert outcome == {"nonce": "m" * 32, "outcome": "harness_error", "message": REASON}
    assert not (tmp_path / "loaded").exists()
    run = {"exit_code": 0, "signal": None, "stderr": ""}
    context = RunContext(LANGUAGES["python"], Limits(), str(HARNESS_DIR), "m" * 32)
    assert judge_failed_outcome(run, outcome, context) == {"status": "sandbox_error", "message": REASON}


def test_runner_that_is_undumpable_runs_the_tests(tmp_path: Path) -> None:
    outcome, done = _run_runner(tmp_path, refuse=False)
    assert outcome == {"nonce": "m" * 32, "outcome": "returned", "value": 2}, done.stderr
    assert (tmp_path / "loaded").exists()
