"""One RQ job per chunk, all of a request's chunks enqueued in one Redis pipeline."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from redis import Redis
from rq import Callback, Queue, Retry

from reward_service.dispatch.rq.chunk_job import deliver_chunk, verify_chunk
from reward_service.dispatch.rq.chunks import Chunk
from reward_service.dispatch.rq.keys import chunk_job_id
from reward_service.settings import Settings
from reward_service.verifiers.jobs import CodeJob, Job, ProblemCodeJob

# Per-item upper bound of a code verification, for the chunk's job timeout.
_CODE_ITEM_BOUND_S = 60.0
_FAILURE_TTL_S = 24 * 3600


def _on_the_queue(job: Job) -> Job | ProblemCodeJob:
    # A stored problem's tests stay in the store: the chunk names them.
    if isinstance(job, CodeJob) and job.problem is not None:
        return ProblemCodeJob.of(job)
    return job


def enqueue_chunks(
    redis: Redis,
    queues: Mapping[str, Queue],
    settings: Settings,
    request: str,
    reply_to: str,
    chunks: Sequence[Chunk],
    jobs: Sequence[Job],
    request_id: str | None,
) -> None:
    """Enqueue every chunk (setting its ``rq_id``); raises RedisError if Redis is unreachable."""
    # A queued chunk older than the longest deadline has no one waiting for it.
    queue_ttl_s = math.ceil(max(settings.score_deadline_s, settings.job_deadline_s))
    retry = Retry(max=settings.rq_max_retries, enqueue_at_front=True)
    by_task: dict[str, list[Any]] = {}
    for chunk in chunks:
        chunk.rq_id = chunk_job_id(request, chunk.number)
        item_bound_s = (
            _CODE_ITEM_BOUND_S if chunk.task == "code" else settings.math_timeout_s + settings.math_kill_grace_s
        )
        data = Queue.prepare_data(
            verify_chunk,
            args=([_on_the_queue(jobs[i]) for i in chunk.indices],),
            # Worst case: every item of the chunk runs into its hard timeout, one after another.
            timeout=math.ceil(60 + len(chunk.indices) * item_bound_s),
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
    with redis.pipeline() as pipe:
        for task, datas in by_task.items():
            queues[task].enqueue_many(datas, pipeline=pipe)
        pipe.execute()
