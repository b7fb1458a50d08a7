"""The code verification job: one program and its tests in, one Verdict out.

Builds the driver request (the job's test kind writes the runs, see kinds/),
sends it to a warm sandbox session, and judges each run on this side of the
sandbox, so expected outputs never reach the program. Limits (time, memory,
output) are judged here for every kind; the rest is the kind's.
"""

from __future__ import annotations

import asyncio
import secrets
import signal
from dataclasses import dataclass, replace
from typing import Any, cast

from reward_sandbox import Language, Limits, SandboxPool, SandboxUnavailable, SessionBroken
from reward_service.verifiers.code.kinds import RunContext, Unsupported
from reward_service.verifiers.code.kinds.base import failure
from reward_service.verifiers.jobs import CodeJob
from reward_service.verifiers.verdict import Status, Verdict

# What runtimes print when an allocation fails under RLIMIT_AS or a V8 heap limit.
_MEMORY_MARKERS = (
    "MemoryError",
    "std::bad_alloc",
    "JavaScript heap out of memory",
    "Cannot allocate memory",
    "java.lang.OutOfMemoryError",
    "fatal error: runtime: out of memory",  # Go
    "memory allocation of",  # Rust's allocation failure: "memory allocation of N bytes failed"
)


@dataclass(frozen=True)
class CompileSettings:
    time_s: float = 30.0
    memory_mb: int = 1536
    output_kb: int = 256
    processes: int = 32
    # Headers offered to C++ judges that include them (testlib.h), read at start-up.
    judge_library: tuple[tuple[str, str], ...] = ()


def run_limits(limits: Limits, language: Language, per_session_uid: bool) -> dict[str, Any]:
    return {
        "time_s": limits.time_s,
        "memory_mb": limits.memory_mb + language.runtime_memory_mb,
        "output_kb": limits.output_kb,
        "file_kb": limits.file_kb,
        # Interpreters map shared libraries beyond the program's own heap.
        "address_space_mb": limits.memory_mb + 64 if language.address_space_limit else None,
        "processes": limits.processes if per_session_uid else None,
    }


# A checker or an interactor: time for the slow ones (testlib reading megabytes), its
# memory apart from the program's, and little output (its message).
_JUDGE_TIME_S = 10.0
_JUDGE_MEMORY_MB = 1024
_JUDGE_OUTPUT_KB = 64


def _judge_limits(limits: Limits, per_session_uid: bool) -> dict[str, Any]:
    return {
        "time_s": max(_JUDGE_TIME_S, 2 * limits.time_s),
        "memory_mb": _JUDGE_MEMORY_MB,
        "output_kb": _JUDGE_OUTPUT_KB,
        "file_kb": max(limits.file_kb, 65536),
        "address_space_mb": _JUDGE_MEMORY_MB + 64,
        "processes": limits.processes if per_session_uid else None,
    }


def compile_limits(
    compile: CompileSettings, limits: Limits, per_session_uid: bool, language: Language
) -> dict[str, Any]:
    return {
        "time_s": compile.time_s,
        "memory_mb": compile.memory_mb,
        "output_kb": compile.output_kb,
        "file_kb": max(limits.file_kb, 65536),
        # A compiler that is a JVM (javac) reserves more address space than it uses.
        "address_space_mb": compile.memory_mb if language.address_space_limit else None,
        "processes": compile.processes if per_session_uid else None,
    }


class _Attempt:
    """The driver request for one verification attempt of a job, and its judging."""

    def __init__(self, job: CodeJob, pool: SandboxPool, compile: CompileSettings) -> None:
        self.job = job
        # Java: the file is named after the program's public class.
        language = job.language.for_source(job.program)
        backend = pool.backend
        # A fresh nonce per attempt: an outcome of an earlier attempt never counts.
        self.context = RunContext(
            language,
            job.limits,
            backend.harness_path,
            secrets.token_hex(16),
            compile_limits=compile_limits(compile, job.limits, backend.per_session_uid, language),
            judge_limits=_judge_limits(job.limits, backend.per_session_uid),
            judge_library=compile.judge_library,
        )
        self.payload: dict[str, Any] = {
            "nonce": self.context.nonce,
            "files": {language.source_file: job.program},
            "limits": run_limits(job.limits, language, backend.per_session_uid),
            "runs": job.tests.runs(self.context),
            # The score cannot change after a failed test: the driver stops there.
            "stop_on_failure": job.all_or_nothing,
            **job.tests.request_fields(self.context),
        }
        if language.compile:
            self.payload["compile"] = {"argv": list(language.compile), "limits": self.context.compile_limits}

    @property
    def nonce(self) -> str:
        return self.context.nonce

    def timeout_s(self) -> float:
        # The driver's wall bound per run is twice the CPU limit plus a second (see driver.py).
        compile_s = 2 * self.context.compile_limits["time_s"] + 1
        judged = "checker" in self.payload or "interactor" in self.payload
        compiles = ("compile" in self.payload) + judged
        per_run = 2 * self.job.limits.time_s + 2.0
        if judged:
            per_run += 2 * self.context.judge_limits["time_s"] + 2.0
        return compiles * compile_s + len(self.payload["runs"]) * per_run + 15.0

    def judge(self, index: int, run: dict[str, Any]) -> dict[str, Any]:
        verdict = limit_verdict(run, self.job.limits, self.context.language)
        if verdict is not None:
            return verdict
        return self.job.tests.judge(index, run, self.context)


def limit_verdict(run: dict[str, Any], limits: Limits, language: Language) -> dict[str, Any] | None:
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
    if run.get("oom_killed"):
        # The memory cgroup killed a process of the run: one that outgrew the limit, even if
        # the program itself went on and exited 0 (a forked child sacrificed, the parent prints).
        return failure("memory_limit", run, f"its processes together used more than {limits.memory_mb} MB")
    failed = run.get("exit_code") != 0 or run.get("signal") is not None
    stderr = run.get("stderr", "")
    if failed and any(marker in stderr for marker in _MEMORY_MARKERS):
        return failure("memory_limit", run, f"used more than {limits.memory_mb} MB")
    if run.get("max_rss_kb", 0) > (limits.memory_mb + language.runtime_memory_mb) * 1024:
        return failure("memory_limit", run, f"used more than {limits.memory_mb} MB")
    return None


def _score(tests: list[dict[str, Any]], all_or_nothing: bool) -> float:
    """The share of the tests' points: 1 for an accepted test, a checker's partial points, else 0."""
    if all_or_nothing:
        return 1.0 if all(test["status"] == "accepted" for test in tests) else 0.0
    points = [1.0 if test["status"] == "accepted" else float(test.get("points", 0.0)) for test in tests]
    return sum(points) / len(tests)


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
            if exc.out_of_memory:
                return _starved(job, exc)
            failures.append(f"the sandbox failed while running this item: {exc}")
            if not exc.retryable:
                break
            continue
        verdict = _judge_reply(reply, request, job.language.name)
        # A judge's failure (a checker that exits 3, hangs or does not compile) happens
        # again on any session: it is reported once, not run twice.
        if verdict.status != "sandbox_error" or verdict.details.get("judge_failed"):
            if failures:
                verdict.details["sandbox_retried_after"] = failures
            return verdict
        failures.append(verdict.details.get("error") or "the sandbox failed")
    return Verdict("sandbox_error", None, {"error": failures[-1], "attempts": failures})


def _starved(job: CodeJob, exc: SessionBroken) -> Verdict:
    """The program filled its session's memory until the sandbox's own driver was killed:
    an attack on the sandbox (or a program far past its limit) is the program's failure."""
    return Verdict(
        "memory_limit",
        0.0,
        {"language": job.language.name, "error": f"used more than {job.limits.memory_mb} MB ({exc})"},
    )


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

    for judge in ("checker", "interactor"):
        compiled = reply.get(f"{judge}_compile")
        if compiled is None:
            continue
        # Present only when this session compiled the judge; a cached one costs nothing.
        details[f"{judge}_compile_s"] = compiled.get("wall_s")
        if compiled.get("error"):
            # The judge's compiler cannot start here: the problem names a language this
            # deployment does not run. Bad input, not our failure.
            language = request.payload[judge].get("language", "?")
            why = f"tests.{judge}.language: {language!r} cannot run here ({compiled['error']}); see GET /languages"
            return Verdict("error", None, {**details, "error": why})
        if compiled.get("limit") or compiled.get("exit_code") != 0:
            why = (compiled.get("stderr") or "").strip()[-2000:]
            return Verdict(
                "sandbox_error", None, {**details, "error": f"the {judge} did not compile: {why}", "judge_failed": True}
            )

    runs = reply.get("runs", [])
    tests = [request.judge(index, run) for index, run in enumerate(runs)]
    for test, run in zip(tests, runs, strict=False):
        test["time_s"] = run.get("wall_s")
    expected = request.job.tests.case_count()
    if len(tests) < expected and request.payload["stop_on_failure"]:
        skipped = {"status": "skipped", "message": "not run: an earlier test failed (options.all_or_nothing)"}
        tests += [dict(skipped) for _ in range(expected - len(tests))]
    if any(test["status"] == "sandbox_error" for test in tests):
        failing = next(test for test in tests if test["status"] == "sandbox_error")
        failed = {"judge_failed": True} if failing.get("judge_failed") else {}
        return Verdict("sandbox_error", None, {**details, "tests": tests, "error": failing.get("message"), **failed})
    statuses = [test["status"] for test in tests if test["status"] != "skipped"]
    details["tests"] = tests
    details["passed"] = statuses.count("accepted")
    details["total"] = len(tests)
    if reply.get("leftover_processes"):
        details["killed_leftover_processes"] = reply["leftover_processes"]
    # The item's status is that of its first failing test, in test order.
    status = cast(Status, next((s for s in statuses if s != "accepted"), "accepted"))
    return Verdict(status, _score(tests, request.job.all_or_nothing), details)


# Splitting pays only when each session gets a few runs (each part compiles the program again).
MIN_CASES_PER_PART = 4


async def verify_code_spread(job: CodeJob, pool: SandboxPool, compile: CompileSettings, sessions: int) -> Verdict:
    """``verify_code`` with the tests spread over up to ``sessions`` sandbox sessions at once
    (a batch with fewer items than sessions: the idle ones take part of a many-test item)."""
    parts = job.tests.shard(min(sessions, job.tests.case_count() // MIN_CASES_PER_PART)) if sessions > 1 else []
    if len(parts) <= 1:
        return await verify_code(job, pool, compile)
    verdicts = await asyncio.gather(*(verify_code(replace(job, tests=part), pool, compile) for part in parts))
    return merge_verdicts(list(verdicts), job.all_or_nothing)


def merge_verdicts(parts: list[Verdict], all_or_nothing: bool) -> Verdict:
    """One item's verdict from the verdicts of its tests' consecutive parts, as if run in one go."""
    for status in ("sandbox_error", "compile_error"):
        failed = next((part for part in parts if part.status == status), None)
        if failed is not None:
            return failed
    tests = [test for part in parts for test in part.details.get("tests", [])]
    details = {key: value for key, value in parts[0].details.items() if key not in ("tests", "passed", "total")}
    details["tests"] = tests
    details["passed"] = sum(test["status"] == "accepted" for test in tests)
    details["total"] = len(tests)
    details["sessions"] = len(parts)
    status = cast(Status, next((t["status"] for t in tests if t["status"] not in ("accepted", "skipped")), "accepted"))
    return Verdict(status, _score(tests, all_or_nothing), details)
