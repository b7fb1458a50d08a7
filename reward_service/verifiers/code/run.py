"""Running one program as asked, without tests (POST /run_code): how it ran, not whether it passed.

The same sandbox session, driver and limits as a code item's test runs: the request is
one run with the caller's stdin, the caller's files beside the program, and the
requested files read back before the driver wipes the work dir. The verdict's status
names what happened (accepted: it exited 0; compile_error, runtime_error, time_limit,
memory_limit, output_limit, sandbox_error) and its details carry the raw outcome.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import Any, cast

from reward_sandbox import SandboxPool, SessionBroken
from reward_service.verifiers.code.attempts import execute_with_retry
from reward_service.verifiers.code.limits import (
    CompileSettings,
    compile_limits,
    limit_verdict,
    request_timeout_s,
    run_limits,
)
from reward_service.verifiers.jobs import RunJob
from reward_service.verifiers.verdict import Status, Verdict


def _outcome(run: dict[str, Any]) -> dict[str, Any]:
    return {
        "exit_code": run.get("exit_code"),
        "signal": run.get("signal"),
        "stdout": run.get("stdout", ""),
        "stderr": run.get("stderr", ""),
        "wall_s": run.get("wall_s"),
        "limit": run.get("limit"),
    }


def _payload(job: RunJob, pool: SandboxPool, compile: CompileSettings) -> dict[str, Any]:
    language = job.language.for_source(job.program)
    per_session_uid = pool.backend.per_session_uid
    payload: dict[str, Any] = {
        "nonce": secrets.token_hex(16),
        "files": {language.source_file: job.program},
        "files_b64": dict(job.files),
        "fetch": list(job.fetch),
        "limits": run_limits(job.limits, language, per_session_uid),
        "runs": [{"argv": language.run_argv(job.limits.memory_mb), "stdin": job.stdin}],
    }
    if language.compile:
        payload["compile"] = {
            "argv": list(language.compile),
            "limits": language.step_limits(
                compile_limits(
                    replace(compile, time_s=min(job.compile_time_s, compile.time_s)), job.limits, per_session_uid
                ),
                runtime_memory=False,
            ),
        }
    return payload


def _timeout_s(payload: dict[str, Any], job: RunJob) -> float:
    compile_s = [payload["compile"]["limits"]["time_s"]] if "compile" in payload else []
    return request_timeout_s([*compile_s, job.limits.time_s])


async def run_program(job: RunJob, pool: SandboxPool, compile: CompileSettings) -> Verdict:
    def prepare() -> tuple[dict[str, Any], float]:
        payload = _payload(job, pool, compile)
        return payload, _timeout_s(payload, job)

    def starved(exc: SessionBroken) -> Verdict:
        error = f"used more than {job.limits.memory_mb} MB ({exc})"
        return Verdict("memory_limit", None, {"compile": None, "run": None, "files": {}, "error": error})

    return await execute_with_retry(
        pool, prepare, lambda reply, _payload: _judge(reply, job), starved, "running code is unavailable"
    )


def _judge(reply: dict[str, Any], job: RunJob) -> Verdict:
    details: dict[str, Any] = {"compile": None, "run": None, "files": reply.get("fetched") or {}}
    compiled = reply.get("compile")
    if compiled is not None:
        details["compile"] = _outcome(compiled)
        if compiled.get("error"):
            return Verdict("sandbox_error", None, {**details, "error": compiled["error"]})
        if compiled.get("limit") or compiled.get("exit_code") != 0:
            limit = compiled.get("limit")
            details["error"] = f"compiling hit its {limit} limit" if limit else "the compiler failed"
            return Verdict("compile_error", None, details)
    runs = reply.get("runs") or []
    if not runs:
        return Verdict("sandbox_error", None, {**details, "error": "the sandbox driver made no run"})
    run = runs[0]
    details["run"] = _outcome(run)
    judged = limit_verdict(run, job.limits, job.language)
    if judged is not None:
        details["error"] = judged.get("message")
        return Verdict(cast(Status, judged["status"]), None, details)
    if run.get("signal") is not None:
        details["error"] = f"the program was killed by signal {run['signal']}"
        return Verdict("runtime_error", None, details)
    if run.get("exit_code") != 0:
        details["error"] = f"the program exited with code {run.get('exit_code')}"
        return Verdict("runtime_error", None, details)
    return Verdict("accepted", None, details)
