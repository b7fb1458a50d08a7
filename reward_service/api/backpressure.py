"""Limits at the door: 413 for a batch past REWARD_MAX_ITEMS, and 429 with Retry-After when
the verifiers are this far behind (shed load here, not by timing out).

Callers whose client cannot wait out a Retry-After (OpenRLHF, veRL's SandboxFusion
client) are held instead, for a bounded time, until there is room (`admit_within`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
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


# How often a held request looks again: short beside a verification, cheap for the loop.
_HOLD_POLL_S = 0.05


def _too_busy(ctx: ScoringContext, depth: int) -> HTTPException:
    return HTTPException(
        429,
        f"{depth} verifications are waiting for a worker (REWARD_MAX_QUEUE_DEPTH is "
        f"{ctx.settings.max_queue_depth}): retry in {ctx.settings.retry_after_s} s, or add workers",
        headers={"Retry-After": str(ctx.settings.retry_after_s)},
    )


def admit_batch(ctx: Annotated[ScoringContext, Depends(scoring_context)]) -> None:
    depth = ctx.dispatcher.pending
    if depth >= ctx.settings.max_queue_depth:
        raise _too_busy(ctx, depth)


class HeldRequests:
    """Requests held for room enter one at a time, in the order they came, while the queue
    and the held requests already let in together stay below REWARD_MAX_QUEUE_DEPTH.

    A request let in reaches the queue's depth only once its items are queued: counted
    by the queue alone, every request held at that moment saw the same free room and all
    went in at once (800 past a limit of 1). So one let in holds a place here until it is
    answered. One per app, made in its lifespan.
    """

    def __init__(self) -> None:
        self._turn = asyncio.Lock()  # asyncio's lock wakes its waiters in arrival order
        self.inside = 0

    @asynccontextmanager
    async def admitted(self, ctx: ScoringContext, max_wait_s: float) -> AsyncIterator[None]:
        """Wait up to ``max_wait_s`` for room, then 429 as admit_batch does; the request
        runs inside the block."""
        deadline = time.monotonic() + max_wait_s
        try:
            await asyncio.wait_for(self._turn.acquire(), timeout=max(deadline - time.monotonic(), 0.0))
        except asyncio.TimeoutError:
            raise _too_busy(ctx, ctx.dispatcher.pending) from None
        try:
            while (depth := ctx.dispatcher.pending + self.inside) >= ctx.settings.max_queue_depth:
                if time.monotonic() >= deadline:
                    raise _too_busy(ctx, depth)
                await asyncio.sleep(_HOLD_POLL_S)
            self.inside += 1
        finally:
            self._turn.release()
        try:
            yield
        finally:
            self.inside -= 1
