"""429 with Retry-After when the verifiers are this far behind: shed load at the door, not by timing out."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException

from service.api.deps import scoring_context
from service.context import ScoringContext


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
