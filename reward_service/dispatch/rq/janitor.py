"""Chunks nobody will answer: abandoned ones retried, lost or failed ones settled, unstarted ones withdrawn.

A worker that dies mid-chunk (SIGKILL, OOM, a lost machine) stops heartbeating;
RQ's StartedJobRegistry cleanup then finds the chunk abandoned and, since it was
enqueued with `Retry`, puts it back at the front of the queue for another worker.
The waiting API runs that cleanup itself once a second (RQ's workers only do it in
their maintenance every few minutes), and the workers' short leases
(`rq_lease_s`) make a dead one visible within seconds.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from rq.job import Job as RQJob
from rq.job import JobStatus
from rq.registry import StartedJobRegistry

from reward_service.dispatch.rq.chunks import Chunk
from reward_service.dispatch.rq.keys import janitor_lock

log = logging.getLogger(__name__)


def supervise(
    redis: Redis, queues: Mapping[str, Queue], outstanding: Sequence[Chunk], every_s: float
) -> dict[int, str]:
    """Retry abandoned chunks; the chunks that will never reply, with why (blocking)."""
    for task in {chunk.task for chunk in outstanding}:
        _clean_started(redis, queues[task], every_s)
    found = RQJob.fetch_many([chunk.rq_id for chunk in outstanding], connection=redis)
    problems: dict[int, str] = {}
    for chunk, job in zip(outstanding, found, strict=True):
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


def _clean_started(redis: Redis, queue: Queue, every_s: float) -> None:
    # RQ retries (or fails) chunks whose worker stopped heartbeating. One API
    # process at a time does it, so an abandoned chunk is requeued once.
    if redis.set(janitor_lock(queue.name), b"1", nx=True, px=int(every_s * 1000)):
        StartedJobRegistry(queue=queue).cleanup()


def withdraw(redis: Redis, chunks: Sequence[Chunk], reply_to: str) -> None:
    """Delete the chunks no worker has started, and the reply list (blocking, never raises)."""
    try:
        found = RQJob.fetch_many([chunk.rq_id for chunk in chunks], connection=redis)
        with redis.pipeline() as pipe:
            for job in found:
                if job is not None and job.get_status(refresh=False) in (JobStatus.QUEUED, JobStatus.SCHEDULED):
                    job.delete(pipeline=pipe)
            pipe.delete(reply_to)
            pipe.execute()
    except RedisError as exc:
        log.warning("could not withdraw %d chunks: %s", len(chunks), exc)
