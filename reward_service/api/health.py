"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from reward_service.api.deps import scoring_context
from reward_service.context import ScoringContext

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is alive")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Workers are warm and accepting items")
async def readyz(ctx: Annotated[ScoringContext, Depends(scoring_context)]) -> JSONResponse:
    """503 while starting. Once warm, 200: math is scored. A sandbox that cannot run code
    does not make the service unready (math still flows) but `degraded`, with the reason
    and what to install in `code`, so a probe's log and a user both see it."""
    ready = ctx.dispatcher.ready
    body: dict[str, Any] = {"status": "ready" if ready else "starting", "workers": ctx.dispatcher.workers}
    if ready:
        report = await ctx.dispatcher.sandbox_report()
        body["code"] = {"available": bool(report.languages), "backend": report.backend, "reason": report.reason}
        if not report.languages:
            body["status"] = "degraded"
    return JSONResponse(body, status_code=200 if ready else 503)
