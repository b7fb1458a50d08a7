"""Where imported problems go: the embedded default's store on this host, or a running service.

Both refuse what `PUT /problems` refuses (reward_service/problems/admit.py) and tell a
stored problem whose content is unchanged (the same content hash) from a new one, so
importing a file again stores nothing new.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Protocol

from reward_service.context import build_problem_store
from reward_service.exceptions import ClientNotInstalled, ProblemRefused
from reward_service.problems.admit import admit_problem, canonical_body
from reward_service.problems.model import content_hash
from reward_service.schemas.scoring import ProblemBody
from reward_service.settings import Settings


@dataclass(frozen=True)
class Stored:
    hash: str
    changed: bool
    cases: int


class Destination(Protocol):
    where: str

    async def store(self, problem_id: str, body: ProblemBody) -> Stored:
        """Store the problem (unless it is there unchanged); raises ProblemRefused."""
        ...

    async def delete(self, problem_id: str) -> None: ...

    async def aclose(self) -> None: ...


class LocalDestination:
    """The store the service itself would use with these settings: REWARD_PROBLEMS_DIR
    (or Redis when REWARD_REDIS_URL is set)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._store = build_problem_store(settings)
        self.where = f"redis {settings.redis_url}" if settings.redis_url else str(settings.problems_dir)

    async def store(self, problem_id: str, body: ProblemBody) -> Stored:
        admitted = admit_problem(problem_id, body, self.settings)
        existing = (await self._store.get_many([problem_id])).get(problem_id)
        if existing is not None and existing.hash == admitted.stored.hash:
            return Stored(existing.hash, False, admitted.cases)
        await self._store.put(admitted.stored)
        return Stored(admitted.stored.hash, True, admitted.cases)

    async def delete(self, problem_id: str) -> None:
        await self._store.delete(problem_id)

    async def aclose(self) -> None:
        await self._store.aclose()


class ServiceDestination:
    """A running service, through the client (its token from REWARD_SERVICE_TOKEN, its retries)."""

    def __init__(self, url: str) -> None:
        # Imported here: the client is the `remote` extra, which the server runs without.
        try:
            from reward_client import RewardClient
            from reward_client.errors import RequestRejected
        except ImportError as exc:
            raise ClientNotInstalled() from exc
        self._rejected = RequestRejected
        self._client = RewardClient(url)
        self.where = url

    def _store_now(self, problem_id: str, body: ProblemBody) -> Stored:
        wanted = content_hash(canonical_body(body))
        current = self._client.get_problem(problem_id)
        data = body.model_dump(mode="json", exclude_none=True)
        if current is not None and current.get("hash") == wanted:
            return Stored(wanted, False, len(data["tests"].get("cases", [])))
        try:
            answer = self._client.put_problem(problem_id, data)
        except self._rejected as exc:
            raise ProblemRefused(exc.status_code, str(exc.detail)) from exc
        return Stored(str(answer["hash"]), True, int(answer["cases"]))

    async def store(self, problem_id: str, body: ProblemBody) -> Stored:
        return await asyncio.to_thread(self._store_now, problem_id, body)

    async def delete(self, problem_id: str) -> None:
        await asyncio.to_thread(self._client.delete_problem, problem_id)

    async def aclose(self) -> None:
        self._client.close()
