"""Limits at the door: 413 for a batch past REWARD_MAX_ITEMS, and 429 with Retry-After when
the verifiers are this far behind (shed load here, not by timing out)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException

from reward_service.api.deps import scoring_context
from reward_service.context import ScoringContext
from reward_service.settings import Settings


def refuse_oversized_batch(count: int, settings: Settings, unit: str = "items") -> None:
    if count > settings.max_items:
        raise HTTPException(
            413,
            f"batch has {count} {unit}; this server accepts at most {settings.max_items} "
            "per request (REWARD_MAX_ITEMS): split it",
        )


def admit_batch(ctx: Annotated[ScoringContext, Depends(scoring_context)]) -> None:
    depth = ctx.dispatcher.pending
    limit = ctx.settings.max_queue_depth
    if depth >= limit:
        raise HTTPException(
            429,
            f"{depth} verifications are waiting for a worker (REWARD_MAX_QUEUE_DEPTH is {limit}): "
            f"retry in {ctx.settings.retry_after_s} s, or add workers",
            headers={"Retry-After": str(ctx.settings.retry_after_s)},
        )
