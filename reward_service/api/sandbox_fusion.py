"""SandboxFusion's vocabulary for POST /run_code: its language names, and a run's verdict in its shape.

SandboxFusion's statuses, and how its clients read them (veRL 0.9.1, `_process_single_case`):
`Success` with run_result `Finished` is a program that ran to exit code 0; `Failed` is the
program's fault, with compile_result (`Finished` and a non-zero return code, or
`TimeLimitExceeded`) or run_result (`TimeLimitExceeded`, or `Finished` and a non-zero
return code); `SandboxError` is the server's, and the client scores it as an API error.
"""

from __future__ import annotations

from typing import Any, Literal

from reward_sandbox import LANGUAGES, Language
from reward_service.schemas.run_code import CommandRunResult, RunCodeResponse
from reward_service.verifiers.verdict import Verdict

# SandboxFusion's names of the languages this service runs (reward_sandbox/languages.py).
# Its other names (pytest, php, ...) are answered with a SandboxError naming these.
SANDBOX_FUSION_LANGUAGES: dict[str, str] = {
    "python": "python",
    "cpp": "cpp",
    "nodejs": "javascript",
    "go": "go",
    "java": "java",
    "rust": "rust",
}


def resolve_language(name: str) -> Language | None:
    ours = SANDBOX_FUSION_LANGUAGES.get(name)
    return LANGUAGES.get(ours) if ours is not None else None


def unsupported_language(name: str) -> RunCodeResponse:
    supported = ", ".join(SANDBOX_FUSION_LANGUAGES)
    return sandbox_error(
        f"language {name[:100]!r} is not supported by this server: it runs {supported} "
        "(GET /languages says which are installed)"
    )


def sandbox_error(message: str) -> RunCodeResponse:
    return RunCodeResponse(status="SandboxError", message=message)


def _return_code(step: dict[str, Any]) -> int | None:
    if step.get("exit_code") is not None:
        return int(step["exit_code"])
    # As Python's subprocess reports it: killed by signal N is -N.
    return -int(step["signal"]) if step.get("signal") is not None else None


def _step(step: dict[str, Any] | None) -> CommandRunResult | None:
    if step is None:
        return None
    status: Literal["Finished", "TimeLimitExceeded"] = (
        "TimeLimitExceeded" if step.get("limit") == "time" else "Finished"
    )
    return CommandRunResult(
        status=status,
        execution_time=step.get("wall_s"),
        return_code=_return_code(step),
        stdout=step.get("stdout"),
        stderr=step.get("stderr"),
    )


def to_response(verdict: Verdict) -> RunCodeResponse:
    details = verdict.details
    if verdict.status in ("sandbox_error", "error"):  # error: a language this sandbox lacks
        return sandbox_error(str(details.get("error") or "the sandbox failed"))
    if verdict.status == "timeout":  # the request deadline, not the program's limit
        return sandbox_error(str(details.get("error") or "the run did not finish within the request deadline"))
    compiled = _step(details.get("compile"))
    run = _step(details.get("run"))
    if verdict.status == "time_limit" and run is not None:
        run.status = "TimeLimitExceeded"
    files = {name: content for name, content in (details.get("files") or {}).items() if content is not None}
    return RunCodeResponse(
        status="Success" if verdict.status == "accepted" else "Failed",
        message="" if verdict.status == "accepted" else str(details.get("error") or verdict.status),
        compile_result=compiled,
        run_result=run,
        files=files,
    )
