"""Request-scoped access to what the lifespan built."""

from __future__ import annotations

from fastapi import Request

from service.context import ScoringContext


def scoring_context(request: Request) -> ScoringContext:
    context: ScoringContext = request.app.state.scoring
    return context
