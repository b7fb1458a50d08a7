"""The scale-out dispatcher: chunks of jobs on RQ queues in Redis, verified by `reward-service worker`s.

A batch is split into chunks (`chunks`), one RQ job each on its task's queue
(`enqueue`). Each chunk carries the name of its request's reply list; the worker
pushes the chunk's verdicts there when it is done (`chunk_job.deliver_chunk`),
and the API waits on that list with a blocking pop, off the event loop's back.

Failures, all reported on the items, never raised into the batch:
- A worker that dies mid-chunk: the chunk is retried on another (`janitor`). A
  chunk delivered twice (its worker died after replying) is taken once.
- Redis lost mid-request: the items still waiting get `error` (score null) with
  the reason; the next request works again once Redis is back.
- A chunk that failed for good, or vanished (expired, Redis restarted empty):
  its items get `error`.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
import uuid
from collections.abc import AsyncGenerator, Sequence

import redis.asyncio as aioredis
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Worker

from reward_service.dispatch.rq.chunks import Outstanding, split
from reward_service.dispatch.rq.enqueue import enqueue_chunks
from reward_service.dispatch.rq.janitor import supervise, withdraw
from reward_service.dispatch.rq.keys import TASK_QUEUES, reply_key
from reward_service.dispatch.sandbox_report import SandboxReport, read_combined
from reward_service.logging_setup import current_request_id
from reward_service.settings import Settings
from reward_service.verifiers.jobs import Job
from reward_service.verifiers.verdict import Verdict

log = logging.getLogger(__name__)

# How long the API waits on a reply list before it checks on its chunks.
_CHECK_EVERY_S = 1
_READINESS_EVERY_S = 2.0


class RQDispatcher:
    warm_sandboxes = 0  # the sandboxes are the code workers'

    def __init__(self, settings: Settings) -> None:
        assert settings.redis_url, "RQDispatcher needs settings.redis_url"
        self._settings = settings
        self._url = settings.redis_url
        self._redis = Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=10)
        # Blocking pops hold their connection for _CHECK_EVERY_S: the socket timeout must exceed it.
        self._aredis = aioredis.Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=10)
        self._queues = {task: Queue(name, connection=self._redis) for task, name in TASK_QUEUES.items()}
        self.pending = 0
        self.workers = 0
        self.ready = False
        self._watcher: asyncio.Task[None] | None = None

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Ready means Redis answers; workers may come and go independently of the API."""
        await self._check_redis()
        if not self.ready:
            log.warning("Redis at %s is not reachable yet; /readyz answers 503 until it is", self._safe_url)
        self._watcher = asyncio.create_task(self._watch())

    async def aclose(self) -> None:
        self.ready = False
        if self._watcher is not None:
            self._watcher.cancel()
            await asyncio.gather(self._watcher, return_exceptions=True)
        await self._aredis.aclose()
        self._redis.close()

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(_READINESS_EVERY_S)
            await self._check_redis()

    async def _check_redis(self) -> None:
        try:
            self.workers = await asyncio.to_thread(self._count_workers)
            self.ready = True
        except RedisError:
            self.ready = False
            self.workers = 0

    async def sandbox_report(self) -> SandboxReport:
        try:
            return await asyncio.to_thread(read_combined, self._redis, self._queues["code"].name)
        except RedisError as exc:
            return SandboxReport(None, f"the code workers' reports are in Redis, which is unreachable: {exc}")

    def _count_workers(self) -> int:
        return sum(Worker.count(connection=self._redis, queue=queue) for queue in self._queues.values())

    @property
    def _safe_url(self) -> str:
        return self._url.split("@")[-1]  # never log a password

    # -- verification ----------------------------------------------------------------------

    async def verify_stream(self, jobs: Sequence[Job]) -> AsyncGenerator[tuple[int, Verdict], None]:
        if not jobs:
            return
        request = uuid.uuid4().hex
        reply_to = reply_key(request)
        settings = self._settings
        chunks = split(jobs, self.workers, settings.rq_chunk_size, settings.rq_code_chunk_size)
        outstanding = Outstanding(chunks)
        self.pending += len(jobs)
        try:
            try:
                enqueue = functools.partial(
                    enqueue_chunks, self._redis, self._queues, settings, request, reply_to, chunks, jobs
                )
                await asyncio.to_thread(enqueue, current_request_id())
            except RedisError as exc:
                for pair in self._settled(
                    outstanding.fail_all(f"could not queue the items: Redis unreachable ({exc})")
                ):
                    yield pair
                return
            checked_at = time.monotonic()
            while outstanding:
                try:
                    popped = await self._aredis.blpop([reply_to], timeout=_CHECK_EVERY_S)
                    arrived = outstanding.take_reply(popped[1]) if popped else []
                    # Also while other chunks keep replying: a dead worker's chunk must not wait for them.
                    if outstanding and time.monotonic() - checked_at >= _CHECK_EVERY_S:
                        arrived += await self._check_on(outstanding, reply_to)
                        checked_at = time.monotonic()
                except RedisError as exc:
                    arrived = outstanding.fail_all(
                        f"lost the job queue (Redis at {self._safe_url}) while these items were queued or "
                        f"running: {exc}; send them again"
                    )
                for pair in self._settled(arrived):
                    yield pair
        finally:
            self.pending -= outstanding.items
            if outstanding:
                # Leaving early (deadline, client gone): withdraw what no worker has started.
                left = list(outstanding.chunks.values())
                await asyncio.shield(asyncio.to_thread(withdraw, self._redis, left, reply_to))

    def _settled(self, pairs: list[tuple[int, Verdict]]) -> list[tuple[int, Verdict]]:
        self.pending -= len(pairs)
        return pairs

    async def _check_on(self, outstanding: Outstanding, reply_to: str) -> list[tuple[int, Verdict]]:
        """No reply for a while: recover abandoned chunks, and settle the ones that are gone for good."""
        chunks = list(outstanding.chunks.values())
        problems = await asyncio.to_thread(supervise, self._redis, self._queues, chunks, _CHECK_EVERY_S)
        # Read the replies after the statuses: a chunk whose job is gone has replied
        # already (the reply is pushed before RQ deletes the job), or never will.
        arrived = []
        for reply in await self._aredis.lpop(reply_to, 1000) or []:
            arrived.extend(outstanding.take_reply(reply))
        for number, problem in problems.items():
            arrived.extend(outstanding.fail(number, problem))
        return arrived
