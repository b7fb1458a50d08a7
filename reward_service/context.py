"""The scoring context: everything scoring needs, built once and torn down once.

The app's lifespan and the `reward-service score` CLI both open it, so the API
and the CLI share one dispatcher choice, one cache and one set of metrics.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from reward_service.cache import MemoryCache, VerdictCache
from reward_service.dispatch.base import Dispatcher
from reward_service.dispatch.local import LocalDispatcher
from reward_service.dispatch.rq.dispatcher import RQDispatcher
from reward_service.metrics import Metrics
from reward_service.plan_memo import PlanMemo
from reward_service.problems.resolve import ProblemResolver
from reward_service.problems.store import DiskProblemStore, ProblemStore, RedisProblemStore
from reward_service.redis_cache import RedisCache
from reward_service.settings import Settings


@dataclass(frozen=True)
class ScoringContext:
    settings: Settings
    dispatcher: Dispatcher
    cache: VerdictCache
    metrics: Metrics
    problems: ProblemResolver
    plan_memo: PlanMemo = field(default_factory=PlanMemo)


def build_dispatcher(settings: Settings) -> Dispatcher:
    if settings.redis_url:
        return RQDispatcher(settings)
    return LocalDispatcher.from_settings(settings)


def build_cache(settings: Settings) -> VerdictCache:
    if settings.redis_url:
        return RedisCache(settings.redis_url, settings.redis_cache_ttl_s)
    return MemoryCache(settings.result_cache_size)


def build_problem_store(settings: Settings) -> ProblemStore:
    if settings.redis_url:
        return RedisProblemStore(settings.redis_url)
    return DiskProblemStore(settings.problems_dir)


@asynccontextmanager
async def open_scoring_context(settings: Settings) -> AsyncIterator[ScoringContext]:
    dispatcher = build_dispatcher(settings)
    metrics = Metrics()
    metrics.watch_queue(lambda: dispatcher.pending, lambda: dispatcher.workers)
    metrics.sandbox_pool_size.set_function(lambda: dispatcher.warm_sandboxes)
    cache = build_cache(settings)
    problems = build_problem_store(settings)
    try:
        await dispatcher.start()
        yield ScoringContext(settings, dispatcher, cache, metrics, ProblemResolver(problems))
    finally:
        await problems.aclose()
        await cache.aclose()
        await dispatcher.aclose()
