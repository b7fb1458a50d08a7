"""POST /score: a batch of rollouts in, one result per item out, in order."""

from __future__ import annotations

from time import perf_counter
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException

from service.api.deps import scoring_context
from service.context import ScoringContext
from service.pipeline import score_batch
from service.schemas import ErrorResponse, ScoreRequest, ScoreResponse

router = APIRouter(tags=["score"])


@router.post(
    "/score",
    response_model=ScoreResponse,
    responses={413: {"model": ErrorResponse}, 422: {"model": ErrorResponse}},
    summary="Score a batch of rollouts",
)
async def score(request: ScoreRequest, ctx: Annotated[ScoringContext, Depends(scoring_context)]) -> ScoreResponse:
    if len(request.items) > ctx.settings.max_items:
        raise HTTPException(
            413,
            f"batch has {len(request.items)} items; this server accepts at most {ctx.settings.max_items} "
            "per request (REWARD_MAX_ITEMS): split it",
        )
    started = perf_counter()
    results = await score_batch(request.items, request.options, ctx)
    ctx.metrics.request_seconds.labels("/score").observe(perf_counter() - started)
    ctx.metrics.batch_items.observe(len(request.items))
    return ScoreResponse(results=results)
