"""The code verification job: one program and its tests in, one Verdict out.

Builds the driver request (the job's test kind writes the runs, see kinds/),
sends it to a warm sandbox session, and judges each run on this side of the
sandbox, so expected outputs never reach the program. Limits (time, memory,
output) are judged here for every kind; the rest is the kind's.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import replace
from typing import Any, cast

from reward_sandbox import SandboxPool, SessionBroken
from reward_service.verifiers.code.attempts import execute_with_retry
from reward_service.verifiers.code.kinds import RunContext
from reward_service.verifiers.code.limits import (
    CompileSettings,
    compile_limits,
    judge_limits,
    limit_verdict,
    request_timeout_s,
    run_limits,
)
from reward_service.verifiers.jobs import CodeJob
from reward_service.verifiers.verdict import Status, Verdict


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
            compile_limits=compile_limits(compile, job.limits, backend.per_session_uid),
            judge_limits=judge_limits(job.limits, backend.per_session_uid),
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
            compiled = language.step_limits(self.context.compile_limits, runtime_memory=False)
            self.payload["compile"] = {"argv": list(language.compile), "limits": compiled}

    @property
    def nonce(self) -> str:
        return self.context.nonce

    def timeout_s(self) -> float:
        steps = [self.context.compile_limits["time_s"]] * (("compile" in self.payload) + self._judged())
        judge_s = self.context.judge_limits["time_s"] if self._judged() else None
        for _ in self.payload["runs"]:
            steps.append(self.job.limits.time_s)
            if judge_s is not None:
                steps.append(judge_s)
        return request_timeout_s(steps)

    def _judged(self) -> bool:
        return "checker" in self.payload or "interactor" in self.payload

    def judge(self, index: int, run: dict[str, Any]) -> dict[str, Any]:
        verdict = limit_verdict(run, self.job.limits, self.context.language)
        if verdict is not None:
            return verdict
        return self.job.tests.judge(index, run, self.context)


def _score(tests: list[dict[str, Any]], all_or_nothing: bool) -> float:
    """The share of the tests' points: 1 for an accepted test, a checker's partial points, else 0."""
    if all_or_nothing:
        return 1.0 if all(test["status"] == "accepted" for test in tests) else 0.0
    points = [1.0 if test["status"] == "accepted" else float(test.get("points", 0.0)) for test in tests]
    return sum(points) / len(tests)


async def verify_code(job: CodeJob, pool: SandboxPool, compile: CompileSettings) -> Verdict:
    attempts: list[_Attempt] = []

    def prepare() -> tuple[dict[str, Any], float]:
        attempts.append(_Attempt(job, pool, compile))
        return attempts[-1].payload, attempts[-1].timeout_s()

    def judge(reply: dict[str, Any], _payload: dict[str, Any]) -> Verdict:
        return _judge_reply(reply, attempts[-1], job.language.name)

    def starved(exc: SessionBroken) -> Verdict:
        return _starved(job, exc)

    return await execute_with_retry(pool, prepare, judge, starved, "code verification is unavailable")


def _starved(job: CodeJob, exc: SessionBroken) -> Verdict:
    """The program filled its session's memory until the sandbox's own driver was killed:
    an attack on the sandbox (or a program far past its limit) is the program's failure."""
    return Verdict(
        "memory_limit",
        0.0,
        {"language": job.language.name, "error": f"used more than {job.limits.memory_mb} MB ({exc})"},
    )


def _judge_reply(reply: dict[str, Any], request: _Attempt, language: str) -> Verdict:
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
