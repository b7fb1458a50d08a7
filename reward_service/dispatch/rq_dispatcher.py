"""The scale-out dispatcher: chunks of jobs on RQ queues in Redis, verified by `reward-service worker`s.

A batch is split into chunks (one RQ job each) on its task's queue. Each chunk
carries the name of its request's reply list; the worker pushes the chunk's
verdicts there when it is done (`rq_jobs.deliver_chunk`), and the API waits on
that list with a blocking pop, off the event loop's back.

Failures, all reported on the items, never raised into the batch:
- A worker that dies mid-chunk (SIGKILL, OOM, a lost machine) stops
  heartbeating; RQ's StartedJobRegistry cleanup then finds the chunk abandoned
  and, since it was enqueued with `Retry`, puts it back at the front of the
  queue for another worker. The waiting API runs that cleanup itself once a
  second (RQ's workers only do it in their maintenance every few minutes),
  and the workers' short leases (`rq_lease_s`) make a dead one visible
  within seconds. A chunk delivered twice (its worker died after replying) is
  taken once.
- Redis lost mid-request: the items still waiting get `error` (score null) with
  the reason; the next request works again once Redis is back.
- A chunk that failed for good, or vanished (expired, Redis restarted empty):
  its items get `error`.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import math
import time
import uuid
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass

import redis.asyncio as aioredis
from redis import Redis
from redis.exceptions import RedisError
from rq import Callback, Queue, Retry, Worker
from rq.job import Job as RQJob
from rq.job import JobStatus
from rq.registry import StartedJobRegistry

from reward_service.dispatch.rq_jobs import REPLY_PREFIX, TASK_QUEUES, deliver_chunk, verify_chunk
from reward_service.dispatch.sandbox_report import SandboxReport, read_combined
from reward_service.logging_setup import current_request_id
from reward_service.settings import Settings
from reward_service.verifiers.jobs import Job
from reward_service.verifiers.verdict import Status, Verdict, verdict_from_json

log = logging.getLogger(__name__)

# How long the API waits on a reply list before it checks on its chunks.
_CHECK_EVERY_S = 1
# Per-item upper bound of a code verification, for the chunk's job timeout.
_CODE_ITEM_BOUND_S = 60.0
_FAILURE_TTL_S = 24 * 3600
_READINESS_EVERY_S = 2.0


@dataclass
class _Chunk:
    number: int
    task: str
    indices: list[int]
    rq_id: str = ""


def _infrastructure_verdict(task: str, message: str) -> Verdict:
    status: Status = "sandbox_error" if task == "code" else "error"
    return Verdict(status, None, {"error": message})


class RQDispatcher:
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

    async def verify(self, jobs: Sequence[Job]) -> list[Verdict]:
        verdicts: list[Verdict | None] = [None] * len(jobs)
        async for index, verdict in self.verify_stream(jobs):
            verdicts[index] = verdict
        assert all(v is not None for v in verdicts)
        return verdicts  # type: ignore[return-value]

    async def verify_stream(self, jobs: Sequence[Job]) -> AsyncGenerator[tuple[int, Verdict], None]:
        if not jobs:
            return
        request = uuid.uuid4().hex
        reply_to = REPLY_PREFIX + request
        chunks = {chunk.number: chunk for chunk in self._split(jobs)}
        self.pending += len(jobs)
        try:
            try:
                enqueue = functools.partial(self._enqueue, request, reply_to, list(chunks.values()), jobs)
                await asyncio.to_thread(enqueue, current_request_id())
            except RedisError as exc:
                for chunk in list(chunks.values()):
                    for pair in self._fail(chunks, chunk, f"could not queue the items: Redis unreachable ({exc})"):
                        yield pair
                return
            checked_at = time.monotonic()
            while chunks:
                try:
                    popped = await self._aredis.blpop([reply_to], timeout=_CHECK_EVERY_S)
                    arrived = self._take_reply(chunks, popped[1]) if popped else []
                    # Also while other chunks keep replying: a dead worker's chunk must not wait for them.
                    if chunks and time.monotonic() - checked_at >= _CHECK_EVERY_S:
                        arrived += await self._check_on(chunks, reply_to)
                        checked_at = time.monotonic()
                except RedisError as exc:
                    message = (
                        f"lost the job queue (Redis at {self._safe_url}) while these items were queued or "
                        f"running: {exc}; send them again"
                    )
                    arrived = [pair for chunk in list(chunks.values()) for pair in self._fail(chunks, chunk, message)]
                for pair in arrived:
                    yield pair
        finally:
            left = list(chunks.values())
            self.pending -= sum(len(chunk.indices) for chunk in left)
            if left:
                # Leaving early (deadline, client gone): withdraw what no worker has started.
                await asyncio.shield(asyncio.to_thread(self._withdraw, left, reply_to))

    def _split(self, jobs: Sequence[Job]) -> list[_Chunk]:
        by_task: dict[str, list[int]] = {}
        for index, job in enumerate(jobs):
            by_task.setdefault(job.task, []).append(index)
        chunks: list[_Chunk] = []
        for task, indices in by_task.items():
            limit = self._settings.rq_code_chunk_size if task == "code" else self._settings.rq_chunk_size
            # Small batches still spread over the workers there are.
            size = max(1, min(limit, math.ceil(len(indices) / max(2, 2 * self.workers))))
            for start in range(0, len(indices), size):
                chunks.append(_Chunk(len(chunks), task, indices[start : start + size]))
        return chunks

    def _item_bound_s(self, task: str) -> float:
        if task == "code":
            return _CODE_ITEM_BOUND_S
        return self._settings.math_timeout_s + self._settings.math_kill_grace_s

    def _enqueue(
        self, request: str, reply_to: str, chunks: Sequence[_Chunk], jobs: Sequence[Job], request_id: str | None
    ) -> None:
        # A queued chunk older than the longest deadline has no one waiting for it.
        queue_ttl_s = math.ceil(max(self._settings.score_deadline_s, self._settings.job_deadline_s))
        retry = Retry(max=self._settings.rq_max_retries, enqueue_at_front=True)
        by_task: dict[str, list] = {}
        for chunk in chunks:
            chunk.rq_id = f"reward-{request}-{chunk.number}"
            data = Queue.prepare_data(
                verify_chunk,
                args=([jobs[i] for i in chunk.indices],),
                # Worst case: every item of the chunk runs into its hard timeout, one after another.
                timeout=math.ceil(60 + len(chunk.indices) * self._item_bound_s(chunk.task)),
                result_ttl=0,  # the verdicts travel on the reply list
                ttl=queue_ttl_s,
                failure_ttl=_FAILURE_TTL_S,
                job_id=chunk.rq_id,
                meta={
                    "reply_to": reply_to,
                    "chunk": chunk.number,
                    "reply_ttl_s": queue_ttl_s,
                    "request_id": request_id,  # the worker logs under the request's id
                },
                retry=retry,
                on_success=Callback(deliver_chunk),
                description=f"verify {len(chunk.indices)} {chunk.task} items",
            )
            by_task.setdefault(chunk.task, []).append(data)
        with self._redis.pipeline() as pipe:
            for task, datas in by_task.items():
                self._queues[task].enqueue_many(datas, pipeline=pipe)
            pipe.execute()

    def _take_reply(self, chunks: dict[int, _Chunk], reply: bytes | str | int) -> list[tuple[int, Verdict]]:
        message = json.loads(reply if isinstance(reply, (bytes, str)) else str(reply))
        chunk = chunks.pop(int(message["chunk"]), None)
        if chunk is None:
            return []  # a second delivery of a retried chunk
        self.pending -= len(chunk.indices)
        verdicts = [verdict_from_json(v) for v in message["verdicts"]]
        if len(verdicts) != len(chunk.indices):
            return [
                (i, _infrastructure_verdict(chunk.task, "worker returned a malformed chunk")) for i in chunk.indices
            ]
        return list(zip(chunk.indices, verdicts, strict=False))

    def _fail(self, chunks: dict[int, _Chunk], chunk: _Chunk, message: str) -> list[tuple[int, Verdict]]:
        chunks.pop(chunk.number, None)
        self.pending -= len(chunk.indices)
        return [(index, _infrastructure_verdict(chunk.task, message)) for index in chunk.indices]

    async def _check_on(self, chunks: dict[int, _Chunk], reply_to: str) -> list[tuple[int, Verdict]]:
        """No reply for a while: recover abandoned chunks, and settle the ones that are gone for good."""
        outstanding = list(chunks.values())
        problems = await asyncio.to_thread(self._supervise, outstanding)
        # Read the replies after the statuses: a chunk whose job is gone has replied
        # already (the reply is pushed before RQ deletes the job), or never will.
        arrived = []
        for reply in await self._aredis.lpop(reply_to, 1000) or []:
            arrived.extend(self._take_reply(chunks, reply))
        for number, problem in problems.items():
            if number in chunks:
                arrived.extend(self._fail(chunks, chunks[number], problem))
        return arrived

    def _supervise(self, outstanding: Sequence[_Chunk]) -> dict[int, str]:
        for task in {chunk.task for chunk in outstanding}:
            self._clean_started(self._queues[task])
        found = RQJob.fetch_many([chunk.rq_id for chunk in outstanding], connection=self._redis)
        problems: dict[int, str] = {}
        for chunk, job in zip(outstanding, found, strict=False):
            if job is None:
                problems[chunk.number] = (
                    "the job queue lost these items before a worker verified them "
                    "(Redis restarted or the chunk expired); send them again"
                )
                continue
            status = job.get_status(refresh=False)
            if status in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
                reason = (job.exc_info or "").strip().splitlines()[-1:] or [status.value]
                problems[chunk.number] = f"verification failed in the worker: {reason[0]}"
        return problems

    def _clean_started(self, queue: Queue) -> None:
        # RQ retries (or fails) chunks whose worker stopped heartbeating. One API
        # process at a time does it, so an abandoned chunk is requeued once.
        lock = f"reward:janitor:{queue.name}"
        if self._redis.set(lock, b"1", nx=True, px=_CHECK_EVERY_S * 1000):
            StartedJobRegistry(queue=queue).cleanup()

    def _withdraw(self, chunks: Sequence[_Chunk], reply_to: str) -> None:
        try:
            found = RQJob.fetch_many([chunk.rq_id for chunk in chunks], connection=self._redis)
            with self._redis.pipeline() as pipe:
                for job in found:
                    if job is not None and job.get_status(refresh=False) in (JobStatus.QUEUED, JobStatus.SCHEDULED):
                        job.delete(pipeline=pipe)
                pipe.delete(reply_to)
                pipe.execute()
        except RedisError as exc:
            log.warning("could not withdraw %d chunks: %s", len(chunks), exc)
