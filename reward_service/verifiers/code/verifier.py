"""The code verification job: one program and its tests in, one Verdict out.

Builds the driver request (the job's test kind writes the runs, see kinds/),
sends it to a warm sandbox session, and judges each run on this side of the
sandbox, so expected outputs never reach the program. Limits (time, memory,
output) are judged here for every kind; the rest is the kind's.
"""

from __future__ import annotations

import secrets
import signal
from dataclasses import dataclass
from typing import Any, cast

from reward_sandbox import Language, Limits, SandboxPool, SandboxUnavailable, SessionBroken
from reward_service.verifiers.code.kinds import RunContext, Unsupported
from reward_service.verifiers.code.kinds.base import failure
from reward_service.verifiers.jobs import CodeJob
from reward_service.verifiers.verdict import Status, Verdict

# What runtimes print when an allocation fails under RLIMIT_AS or a V8 heap limit.
_MEMORY_MARKERS = ("MemoryError", "std::bad_alloc", "JavaScript heap out of memory", "Cannot allocate memory")


@dataclass(frozen=True)
class CompileSettings:
    time_s: float = 30.0
    memory_mb: int = 1536
    output_kb: int = 256
    processes: int = 32


def run_limits(limits: Limits, language: Language, per_session_uid: bool) -> dict[str, Any]:
    return {
        "time_s": limits.time_s,
        "memory_mb": limits.memory_mb,
        "output_kb": limits.output_kb,
        "file_kb": limits.file_kb,
        # Interpreters map shared libraries beyond the program's own heap.
        "address_space_mb": limits.memory_mb + 64 if language.address_space_limit else None,
        "processes": limits.processes if per_session_uid else None,
    }


def compile_limits(compile: CompileSettings, limits: Limits, per_session_uid: bool) -> dict[str, Any]:
    return {
        "time_s": compile.time_s,
        "memory_mb": compile.memory_mb,
        "output_kb": compile.output_kb,
        "file_kb": max(limits.file_kb, 65536),
        "address_space_mb": compile.memory_mb,
        "processes": compile.processes if per_session_uid else None,
    }


class _Attempt:
    """The driver request for one verification attempt of a job, and its judging."""

    def __init__(self, job: CodeJob, pool: SandboxPool, compile: CompileSettings) -> None:
        self.job = job
        language = job.language
        backend = pool.backend
        # A fresh nonce per attempt: an outcome of an earlier attempt never counts.
        self.context = RunContext(language, job.limits, backend.harness_path, secrets.token_hex(16))
        self.payload: dict[str, Any] = {
            "nonce": self.context.nonce,
            "files": {language.source_file: job.program},
            "limits": run_limits(job.limits, language, backend.per_session_uid),
            "runs": job.tests.runs(self.context),
        }
        if language.compile:
            self.payload["compile"] = {
                "argv": list(language.compile),
                "limits": compile_limits(compile, job.limits, backend.per_session_uid),
            }

    @property
    def nonce(self) -> str:
        return self.context.nonce

    def timeout_s(self) -> float:
        # The driver's wall bound per run is twice the CPU limit plus a second (see driver.py).
        compile_s = 2 * self.payload["compile"]["limits"]["time_s"] + 1 if "compile" in self.payload else 0.0
        return compile_s + len(self.payload["runs"]) * (2 * self.job.limits.time_s + 2.0) + 15.0

    def judge(self, index: int, run: dict[str, Any]) -> dict[str, Any]:
        verdict = limit_verdict(run, self.job.limits)
        if verdict is not None:
            return verdict
        return self.job.tests.judge(index, run, self.context)


def limit_verdict(run: dict[str, Any], limits: Limits) -> dict[str, Any] | None:
    if run.get("error"):
        return {"status": "sandbox_error", "message": run["error"]}
    if run.get("limit") == "time" or run.get("signal") == signal.SIGXCPU:
        return {
            "status": "time_limit",
            "message": f"used more than {limits.time_s:g} s of CPU time, or waited more than {2 * limits.time_s + 1:g} s",
        }
    if run.get("limit") == "memory":
        return failure("memory_limit", run, f"its processes together used more than {limits.memory_mb} MB")
    if run.get("limit") == "output":
        if run.get("reply_budget_exhausted"):
            return {
                "status": "output_limit",
                "message": "the item's runs together printed more than the sandbox sends back",
            }
        return {"status": "output_limit", "message": f"printed more than {limits.output_kb} KB"}
    if run.get("signal") == signal.SIGXFSZ:
        return {"status": "output_limit", "message": f"wrote a file larger than {limits.file_kb} KB"}
    failed = run.get("exit_code") != 0 or run.get("signal") is not None
    stderr = run.get("stderr", "")
    if failed and (any(marker in stderr for marker in _MEMORY_MARKERS) or run.get("oom_killed")):
        return failure("memory_limit", run, f"used more than {limits.memory_mb} MB")
    if run.get("max_rss_kb", 0) > limits.memory_mb * 1024:
        return failure("memory_limit", run, f"used more than {limits.memory_mb} MB")
    return None


def _score(statuses: list[str], all_or_nothing: bool) -> float:
    passed = sum(status == "accepted" for status in statuses)
    if all_or_nothing:
        return 1.0 if passed == len(statuses) else 0.0
    return passed / len(statuses)


# A sandbox that failed under an item is our fault, not the program's: the item gets
# one more run on another session before it is reported as sandbox_error.
_ATTEMPTS = 2


async def verify_code(job: CodeJob, pool: SandboxPool, compile: CompileSettings) -> Verdict:
    failures: list[str] = []
    for _ in range(_ATTEMPTS):
        try:
            request = _Attempt(job, pool, compile)
            reply = await pool.execute(request.payload, request.timeout_s())
        except Unsupported as exc:
            return Verdict("sandbox_error", None, {"error": str(exc)})
        except SandboxUnavailable as exc:
            return Verdict("sandbox_error", None, {"error": f"code verification is unavailable: {exc}"})
        except SessionBroken as exc:
            failures.append(f"the sandbox failed while running this item: {exc}")
            if not exc.retryable:
                break
            continue
        verdict = _judge_reply(reply, request, job.language.name)
        if verdict.status != "sandbox_error":
            if failures:
                verdict.details["sandbox_retried_after"] = failures
            return verdict
        failures.append(verdict.details.get("error") or "the sandbox failed")
    return Verdict("sandbox_error", None, {"error": failures[-1], "attempts": failures})


def _judge_reply(reply: dict[str, Any], request: _Attempt, language: str) -> Verdict:
    if reply.get("nonce") != request.nonce:
        return Verdict(
            "sandbox_error",
            None,
            {"error": f"the sandbox driver failed: {reply.get('driver_error', 'reply does not match the request')}"},
        )

    details: dict[str, Any] = {"language": language}
    compiled = reply.get("compile")
    if compiled is not None:
        details["compile_s"] = compiled.get("wall_s")
        if compiled.get("limit") or compiled.get("exit_code") != 0:
            if compiled.get("error"):
                return Verdict("sandbox_error", None, {**details, "error": compiled["error"]})
            details["error"] = (compiled.get("stderr") or "the compiler failed").strip()[-2000:]
            return Verdict("compile_error", 0.0, details)

    runs = reply.get("runs", [])
    tests = [request.judge(index, run) for index, run in enumerate(runs)]
    for test, run in zip(tests, runs, strict=False):
        test["time_s"] = run.get("wall_s")
    if any(test["status"] == "sandbox_error" for test in tests):
        failing = next(test for test in tests if test["status"] == "sandbox_error")
        return Verdict("sandbox_error", None, {**details, "tests": tests, "error": failing.get("message")})
    statuses = [test["status"] for test in tests]
    details["tests"] = tests
    details["passed"] = statuses.count("accepted")
    details["total"] = len(statuses)
    if reply.get("leftover_processes"):
        details["killed_leftover_processes"] = reply["leftover_processes"]
    # The item's status is that of its first failing test, in test order.
    status = cast(Status, next((s for s in statuses if s != "accepted"), "accepted"))
    return Verdict(status, _score(statuses, request.job.all_or_nothing), details)
