"""Where the items get scored: the same pipeline in this process, or a running service over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from contextlib import AsyncExitStack
from typing import Any, Protocol

import httpx

from reward_service.context import ScoringContext, open_scoring_context
from reward_service.pipeline import score_batch
from reward_service.schemas import AnyItem, ScoreOptions
from reward_service.settings import Settings

# The fields a result adds to an input line.
RESULT_FIELDS = ("score", "status", "details", "cached")


class ScoringUnavailable(RuntimeError):
    """The scorer itself failed (service unreachable, a 5xx): stop, so a rerun resumes from here."""


class Scorer(Protocol):
    async def start(self) -> None: ...

    async def score(self, items: Sequence[AnyItem], options: ScoreOptions) -> list[dict[str, Any]]: ...

    async def aclose(self) -> None: ...


class InProcessScorer:
    """The embedded default: the API's own scoring context and `score_batch`, without HTTP."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._stack = AsyncExitStack()
        self._ctx: ScoringContext | None = None

    async def start(self) -> None:
        self._ctx = await self._stack.enter_async_context(open_scoring_context(self._settings))

    async def score(self, items: Sequence[AnyItem], options: ScoreOptions) -> list[dict[str, Any]]:
        assert self._ctx is not None, "start() first"
        results = await score_batch(items, options, self._ctx)
        return [result.model_dump(mode="json") for result in results]

    async def aclose(self) -> None:
        await self._stack.aclose()


class HttpScorer:
    """POST /score on a running service; honours 429 Retry-After."""

    def __init__(self, url: str, token: str | None = None, timeout_s: float = 600.0, max_retries: int = 30) -> None:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        self._client = httpx.AsyncClient(base_url=url.rstrip("/"), headers=headers, timeout=timeout_s)
        self._max_retries = max_retries

    async def start(self) -> None:
        return None

    async def score(self, items: Sequence[AnyItem], options: ScoreOptions) -> list[dict[str, Any]]:
        body = {
            "items": [item.model_dump(mode="json", exclude_none=True) for item in items],
            "options": options.model_dump(mode="json", exclude_none=True),
        }
        for _ in range(self._max_retries):
            try:
                response = await self._client.post("/score", json=body)
            except httpx.TransportError as exc:
                raise ScoringUnavailable(f"cannot reach {self._client.base_url}: {exc}") from exc
            if response.status_code == 429:
                await asyncio.sleep(float(response.headers.get("retry-after", "1")))
                continue
            if response.status_code != 200:
                raise ScoringUnavailable(f"POST /score answered {response.status_code}: {response.text[:500]}")
            results: list[dict[str, Any]] = response.json()["results"]
            return results
        raise ScoringUnavailable(f"POST /score still answered 429 after {self._max_retries} tries")

    async def aclose(self) -> None:
        await self._client.aclose()
