"""The application factory: settings in, a FastAPI app with its lifespan out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from service import __version__
from service.api import health, metrics, score
from service.api.body_limit import BodySizeLimitMiddleware
from service.context import open_scoring_context
from service.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_scoring_context(settings) as context:
            app.state.scoring = context
            yield

    app = FastAPI(
        title="reward-service",
        version=__version__,
        summary="Rule-based rewards for RL with verifiable rewards: math by symbolic equivalence, code by tests.",
        lifespan=lifespan,
    )
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.include_router(score.router)
    app.include_router(health.router)
    app.include_router(metrics.router)
    return app
