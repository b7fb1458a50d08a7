"""Where an asynchronous batch's progress and results live until they expire.

`MemoryJobStore` (the embedded default) keeps them in this process; with Redis,
`RedisJobStore` keeps them in Redis, so any API replica answers GET /jobs/{id}
for a batch another replica runs. The replica running a batch refreshes its
heartbeat with every progress report; a running batch whose heartbeat stopped
(its replica died) reads as failed, with the reason, instead of running forever.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, cast

import redis.asyncio as aioredis

from reward_service.schemas.scoring import ItemResult, JobStatus

# A running batch not heard from for this long was lost with its API replica.
LOST_AFTER_S = 30.0

_LOST = "the API instance running this batch stopped before it finished; submit the batch again"


class JobStore(Protocol):
    async def create(self, job_id: str, total: int, ttl_s: float) -> None: ...

    async def progress(self, job_id: str, done: int) -> None: ...

    async def finish(self, job_id: str, results: Sequence[ItemResult], ttl_s: float) -> None: ...

    async def fail(self, job_id: str, error: str, ttl_s: float) -> None: ...

    async def get(self, job_id: str) -> JobStatus | None:
        """The batch's state, or None when it is unknown or expired."""
        ...

    async def aclose(self) -> None: ...


@dataclass
class _Entry:
    state: JobStatus
    expires_at: float
    results: list[ItemResult] = field(default_factory=list)


class MemoryJobStore:
    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    def _expire(self) -> None:
        now = time.monotonic()
        for job_id in [k for k, entry in self._entries.items() if entry.expires_at <= now]:
            del self._entries[job_id]

    async def create(self, job_id: str, total: int, ttl_s: float) -> None:
        self._expire()
        state = JobStatus(id=job_id, status="running", done=0, total=total)
        self._entries[job_id] = _Entry(state, time.monotonic() + ttl_s)

    async def progress(self, job_id: str, done: int) -> None:
        if entry := self._entries.get(job_id):
            entry.state.done = done

    async def finish(self, job_id: str, results: Sequence[ItemResult], ttl_s: float) -> None:
        if entry := self._entries.get(job_id):
            entry.state = JobStatus(id=job_id, status="done", done=len(results), total=len(results))
            entry.results = list(results)
            entry.expires_at = time.monotonic() + ttl_s

    async def fail(self, job_id: str, error: str, ttl_s: float) -> None:
        if entry := self._entries.get(job_id):
            entry.state = entry.state.model_copy(update={"status": "failed", "error": error})
            entry.expires_at = time.monotonic() + ttl_s

    async def get(self, job_id: str) -> JobStatus | None:
        self._expire()
        entry = self._entries.get(job_id)
        if entry is None:
            return None
        if entry.state.status == "done":
            return entry.state.model_copy(update={"results": entry.results})
        return entry.state.model_copy()

    async def aclose(self) -> None:
        self._entries.clear()


class RedisJobStore:
    """One hash per batch (status, done, total, error, heartbeat) and one JSON string with its results."""

    def __init__(self, url: str) -> None:
        # Every value here is JSON or text: redis-py decodes it, no bytes-or-str case.
        self._redis = aioredis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=10, decode_responses=True)

    @staticmethod
    def _key(job_id: str) -> str:
        return f"reward:batch:{job_id}"

    async def create(self, job_id: str, total: int, ttl_s: float) -> None:
        key = self._key(job_id)
        async with self._redis.pipeline() as pipe:
            pipe.hset(key, mapping={"status": "running", "done": 0, "total": total, "heartbeat": time.time()})
            pipe.expire(key, _seconds(ttl_s))
            await pipe.execute()

    async def progress(self, job_id: str, done: int) -> None:
        await self._redis.hset(self._key(job_id), mapping={"done": done, "heartbeat": time.time()})

    async def finish(self, job_id: str, results: Sequence[ItemResult], ttl_s: float) -> None:
        key = self._key(job_id)
        payload = await asyncio.to_thread(lambda: json.dumps([r.model_dump(mode="json") for r in results]))
        async with self._redis.pipeline() as pipe:
            pipe.set(f"{key}:results", payload, ex=_seconds(ttl_s))
            pipe.hset(key, mapping={"status": "done", "done": len(results), "heartbeat": time.time()})
            pipe.expire(key, _seconds(ttl_s))
            await pipe.execute()

    async def fail(self, job_id: str, error: str, ttl_s: float) -> None:
        key = self._key(job_id)
        async with self._redis.pipeline() as pipe:
            pipe.hset(key, mapping={"status": "failed", "error": error, "heartbeat": time.time()})
            pipe.expire(key, _seconds(ttl_s))
            await pipe.execute()

    async def get(self, job_id: str) -> JobStatus | None:
        key = self._key(job_id)
        fields = cast(dict[str, str], await self._redis.hgetall(key))  # decode_responses
        if not fields:
            return None
        status = fields["status"]
        error = fields.get("error")
        if status == "running" and time.time() - float(fields["heartbeat"]) > LOST_AFTER_S:
            status, error = "failed", _LOST
        state = JobStatus(id=job_id, status=status, done=int(fields["done"]), total=int(fields["total"]), error=error)
        if status == "done":
            payload = await self._redis.get(f"{key}:results")
            if payload is None:
                return None  # the results expired a moment ago
            state.results = await asyncio.to_thread(_decode_results, cast(str, payload))
        return state

    async def aclose(self) -> None:
        await self._redis.aclose()


def _decode_results(payload: str) -> list[ItemResult]:
    return [ItemResult.model_validate(r) for r in json.loads(payload)]


def _seconds(ttl_s: float) -> int:
    return max(1, int(ttl_s))
