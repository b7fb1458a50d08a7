"""The scoring context: everything scoring needs, built once and torn down once.

The app's lifespan and the `reward-service score` CLI both open it, so the API
and the CLI share one dispatcher choice, one cache and one set of metrics.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from service.cache import ResultCache
from service.dispatch.base import Dispatcher
from service.dispatch.local import LocalDispatcher
from service.metrics import Metrics
from service.settings import Settings


@dataclass(frozen=True)
class ScoringContext:
    settings: Settings
    dispatcher: Dispatcher
    cache: ResultCache
    metrics: Metrics


def build_dispatcher(settings: Settings) -> Dispatcher:
    return LocalDispatcher(
        settings.workers, settings.math_timeout_s, settings.math_kill_grace_s, settings.worker_memory_mb
    )


@asynccontextmanager
async def open_scoring_context(settings: Settings) -> AsyncIterator[ScoringContext]:
    dispatcher = build_dispatcher(settings)
    metrics = Metrics()
    metrics.watch_queue(lambda: dispatcher.pending, lambda: dispatcher.workers)
    try:
        await dispatcher.start()
        yield ScoringContext(settings, dispatcher, ResultCache(settings.result_cache_size), metrics)
    finally:
        await dispatcher.aclose()
