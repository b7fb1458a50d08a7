"""POST /run_code: SandboxFusion's API on this service's sandboxes, so veRL's code scoring and its
sandbox tool (`sandbox_fusion.url`) can use this server by changing one URL.

One program, run once on the same warm sandbox pool and with the same limits as /score's
code items; the caller's limits are capped by the server's maxima (Settings.code_maxima()).
Input this server cannot take is a 4xx naming the setting; a language it does not run, or
a sandbox that failed, is SandboxFusion's own `SandboxError`, which its clients understand.
"""

from __future__ import annotations

from time import perf_counter
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request

from reward_sandbox import Limits
from reward_service.api.backpressure import HeldRequests
from reward_service.api.deps import scoring_context
from reward_service.api.sandbox_fusion import resolve_language, to_response, unsupported_language
from reward_service.api.strict_json import StrictJSONRoute
from reward_service.context import ScoringContext
from reward_service.dispatch.streaming import verify_within
from reward_service.schemas.run_code import SERVER_DEFAULT_MEMORY, RunCodeRequest, RunCodeResponse
from reward_service.schemas.scoring import ErrorResponse
from reward_service.settings import Settings
from reward_service.verifiers.jobs import RunJob

router = APIRouter(tags=["code"], route_class=StrictJSONRoute)


def _refuse_oversized(request: RunCodeRequest, settings: Settings) -> None:
    if len(request.code) > settings.max_response_chars:
        raise HTTPException(
            413,
            f"code has {len(request.code)} characters; this server runs at most {settings.max_response_chars} "
            "(REWARD_MAX_RESPONSE_CHARS)",
        )
    data = len(request.stdin or "") + sum(len(content or "") for content in request.files.values())
    if data > settings.max_tests_chars:
        raise HTTPException(
            413,
            f"stdin and files have {data} characters together; this server takes at most "
            f"{settings.max_tests_chars} (REWARD_MAX_TESTS_CHARS)",
        )


def _limits(request: RunCodeRequest, settings: Settings) -> Limits:
    memory_mb = settings.code_memory_mb if request.memory_limit_MB == SERVER_DEFAULT_MEMORY else request.memory_limit_MB
    asked = Limits(time_s=request.run_timeout, memory_mb=memory_mb, output_kb=settings.code_output_kb)
    return asked.capped_by(settings.code_maxima())


@router.post(
    "/run_code",
    response_model=RunCodeResponse,
    responses={413: {"model": ErrorResponse}, 422: {"model": ErrorResponse}, 429: {"model": ErrorResponse}},
    summary="Run one program, SandboxFusion-compatible",
)
async def run_code(
    request: RunCodeRequest, http: Request, ctx: Annotated[ScoringContext, Depends(scoring_context)]
) -> RunCodeResponse:
    language = resolve_language(request.language)
    if language is None:
        return unsupported_language(request.language)
    settings = ctx.settings
    _refuse_oversized(request, settings)
    job = RunJob(
        program=request.code,
        language=language,
        stdin=request.stdin or "",
        limits=_limits(request, settings),
        compile_time_s=min(request.compile_timeout, settings.code_compile_timeout_s),
        files=tuple((name, content) for name, content in request.files.items() if content is not None),
        fetch=tuple(request.fetch_files),
    )
    held: HeldRequests = http.app.state.held_requests
    async with held.admitted(ctx, settings.run_code_max_wait_s):
        started = perf_counter()
        (verdict,) = await verify_within(ctx.dispatcher, [job], settings.score_deadline_s)
    ctx.metrics.request_seconds.labels("/run_code").observe(perf_counter() - started)
    return to_response(verdict)
