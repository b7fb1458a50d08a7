"""The application factory: settings in, a FastAPI app with its lifespan out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from service import __version__
from service.api import health, metrics, score
from service.api.body_limit import BodySizeLimitMiddleware
from service.cache import ResultCache
from service.dispatch.local import LocalDispatcher
from service.metrics import Metrics
from service.pipeline import ScoringContext
from service.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        dispatcher = LocalDispatcher(
            settings.workers, settings.math_timeout_s, settings.math_kill_grace_s, settings.worker_memory_mb
        )
        app_metrics = Metrics()
        app_metrics.watch_queue(lambda: dispatcher.pending, lambda: dispatcher.workers)
        app.state.scoring = ScoringContext(settings, dispatcher, ResultCache(settings.result_cache_size), app_metrics)
        try:
            await dispatcher.start()
            yield
        finally:
            dispatcher.close()

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
