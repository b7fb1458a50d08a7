"""Runs asynchronous batches in the background of the API process that accepted them.

A batch goes through the same `score_batch` as POST /score (so through the same
dispatcher: the embedded pool, or RQ workers), with the /jobs deadline, and its
progress is written to the job store twice a second. The tasks belong to the
app's lifespan: shutting down marks the batches still running as failed.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from reward_service.batch_jobs.store import JobStore, MemoryJobStore, RedisJobStore
from reward_service.context import ScoringContext
from reward_service.pipeline import score_batch
from reward_service.schemas.scoring import AnyItem, JobStatus, ScoreOptions
from reward_service.settings import Settings

log = logging.getLogger(__name__)

_REPORT_EVERY_S = 0.5


class BatchJobs:
    def __init__(self, store: JobStore) -> None:
        self.store = store
        self._running: set[asyncio.Task[None]] = set()

    async def submit(self, items: Sequence[AnyItem], options: ScoreOptions, ctx: ScoringContext) -> JobStatus:
        job_id = uuid.uuid4().hex
        settings = ctx.settings
        await self.store.create(job_id, len(items), settings.job_deadline_s + settings.job_result_ttl_s)
        task = asyncio.create_task(self._run(job_id, items, options, ctx))
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return JobStatus(id=job_id, status="running", done=0, total=len(items))

    async def _run(self, job_id: str, items: Sequence[AnyItem], options: ScoreOptions, ctx: ScoringContext) -> None:
        settings = ctx.settings
        done = 0

        def progressed(count: int, total: int) -> None:
            nonlocal done
            done = count

        async def report() -> None:
            while True:
                await asyncio.sleep(_REPORT_EVERY_S)
                try:
                    await self.store.progress(job_id, done)
                except Exception as exc:  # progress is best effort; the result write reports for real
                    log.warning("batch %s: progress not stored: %s", job_id, exc)

        reporter = asyncio.create_task(report())
        deadline_s = min(options.deadline_s or settings.job_deadline_s, settings.job_deadline_s)
        try:
            results = await score_batch(items, options, ctx, deadline_s=deadline_s, on_progress=progressed)
            await self.store.finish(job_id, results, settings.job_result_ttl_s)
        except asyncio.CancelledError:
            await self._fail(job_id, "the server shut down before the batch finished; submit it again", ctx)
            raise
        except Exception as exc:
            log.exception("batch %s failed", job_id)
            await self._fail(job_id, f"the batch failed: {type(exc).__name__}: {exc}", ctx)
        finally:
            reporter.cancel()

    async def _fail(self, job_id: str, error: str, ctx: ScoringContext) -> None:
        try:
            await self.store.fail(job_id, error, ctx.settings.job_result_ttl_s)
        except Exception as exc:
            log.warning("batch %s: failure not stored: %s", job_id, exc)

    async def aclose(self) -> None:
        for task in list(self._running):
            task.cancel()
        await asyncio.gather(*self._running, return_exceptions=True)
        await self.store.aclose()


def build_job_store(settings: Settings) -> JobStore:
    if settings.redis_url:
        return RedisJobStore(settings.redis_url)
    return MemoryJobStore()


@asynccontextmanager
async def open_batch_jobs(settings: Settings) -> AsyncIterator[BatchJobs]:
    """The API's /jobs runner for the app's lifespan (the CLI needs none)."""
    jobs = BatchJobs(build_job_store(settings))
    try:
        yield jobs
    finally:
        await jobs.aclose()
