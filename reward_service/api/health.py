"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Annotated

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
    ready = ctx.dispatcher.ready
    body = {"status": "ready" if ready else "starting", "workers": ctx.dispatcher.workers}
    return JSONResponse(body, status_code=200 if ready else 503)
