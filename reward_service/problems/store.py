"""Where problems live: a folder on this host (the embedded default) or Redis (scale-out,
shared by every API instance and code worker)."""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

import redis
import redis.asyncio as aioredis

from reward_service.problems.model import StoredProblem

KEY_PREFIX = "reward:problem:"
_FIELDS = ["hash", "body"]


class ProblemStore(Protocol):
    async def put(self, problem: StoredProblem) -> None: ...

    async def get_many(self, ids: Iterable[str]) -> dict[str, StoredProblem]:
        """The stored problems among ``ids``; an unknown id is simply absent."""
        ...

    async def delete(self, problem_id: str) -> bool:
        """True when there was such a problem."""
        ...

    async def aclose(self) -> None: ...


class DiskProblemStore:
    """One JSON file per problem in a folder; a write is a rename, so a reader never sees half of one."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, problem_id: str) -> Path:
        # Ids are validated at the edge (letters, digits, `_.:-`); a colon is fine on Linux.
        return self.folder / f"{problem_id}.json"

    def _put(self, problem: StoredProblem) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        record = json.dumps({"id": problem.id, "hash": problem.hash, "body": problem.body_json})
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".put-")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(record)
        os.replace(temporary, self._path(problem.id))

    def _get(self, problem_id: str) -> StoredProblem | None:
        try:
            record = json.loads(self._path(problem_id).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        return StoredProblem(record["id"], record["hash"], record["body"])

    async def put(self, problem: StoredProblem) -> None:
        await asyncio.to_thread(self._put, problem)

    async def get_many(self, ids: Iterable[str]) -> dict[str, StoredProblem]:
        def read() -> dict[str, StoredProblem]:
            found = {problem_id: self._get(problem_id) for problem_id in set(ids)}
            return {problem_id: problem for problem_id, problem in found.items() if problem is not None}

        return await asyncio.to_thread(read)

    async def delete(self, problem_id: str) -> bool:
        def remove() -> bool:
            try:
                self._path(problem_id).unlink()
            except FileNotFoundError:
                return False
            return True

        return await asyncio.to_thread(remove)

    async def aclose(self) -> None:
        return None


def _found(wanted: list[str], replies: list[list[str | None]]) -> dict[str, StoredProblem]:
    """What a pipeline of one HMGET per wanted id found: one reading of a stored problem for
    the API's reads (async) and a code worker's (blocking)."""
    found = {}
    for problem_id, (digest, body) in zip(wanted, replies, strict=True):
        if digest is not None and body is not None:
            found[problem_id] = StoredProblem(problem_id, digest, body)
    return found


class RedisProblemStore:
    """A Redis hash per problem: its content hash and its body; no expiry (stored until deleted)."""

    def __init__(self, url: str) -> None:
        # Hashes and bodies are text: redis-py decodes them.
        self._redis = aioredis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=30, decode_responses=True)

    async def put(self, problem: StoredProblem) -> None:
        await self._redis.hset(KEY_PREFIX + problem.id, mapping={"hash": problem.hash, "body": problem.body_json})

    async def get_many(self, ids: Iterable[str]) -> dict[str, StoredProblem]:
        wanted = sorted(set(ids))
        async with self._redis.pipeline(transaction=False) as pipe:
            for problem_id in wanted:
                pipe.hmget(KEY_PREFIX + problem_id, _FIELDS)
            replies = await pipe.execute()
        return _found(wanted, replies)

    async def delete(self, problem_id: str) -> bool:
        return bool(await self._redis.delete(KEY_PREFIX + problem_id))

    async def aclose(self) -> None:
        await self._redis.aclose()


class BlockingRedisProblems:
    """The same reads, blocking: a code worker reads from its job's threads, under an event
    loop that lives only as long as one job."""

    def __init__(self, url: str) -> None:
        self._redis = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=30, decode_responses=True)

    def get_many(self, ids: Iterable[str]) -> dict[str, StoredProblem]:
        wanted = sorted(set(ids))
        with self._redis.pipeline(transaction=False) as pipe:
            for problem_id in wanted:
                pipe.hmget(KEY_PREFIX + problem_id, _FIELDS)
            replies = pipe.execute()
        return _found(wanted, replies)

    def close(self) -> None:
        self._redis.close()
