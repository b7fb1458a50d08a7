"""Where the items get scored: the same pipeline in this process, or a running service over HTTP."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from contextlib import AsyncExitStack
from typing import Any, Protocol

from reward_service.context import ScoringContext, open_scoring_context
from reward_service.exceptions import ClientNotInstalled, ScoringUnavailable
from reward_service.pipeline import score_batch
from reward_service.schemas.scoring import AnyItem, ScoreOptions
from reward_service.settings import Settings

# The fields a result adds to an input line.
RESULT_FIELDS = ("score", "status", "details", "cached")


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
    """POST /score on a running service, through `reward_client`: the trainers' client, with its
    retries (429 and 503 after their Retry-After, connections that never reached the server)
    and its halving of a batch the server answers 413 to."""

    def __init__(self, url: str, token: str | None = None, timeout_s: float = 600.0, attempts: int = 30) -> None:
        # Imported here: the client is the `remote` extra, which the server runs without.
        try:
            from reward_client import AsyncRewardClient
            from reward_client.errors import RewardServiceError
            from reward_client.retry import RetryPolicy
        except ImportError as exc:
            raise ClientNotInstalled() from exc
        self._client_error = RewardServiceError
        # A long file run outlasts a busy server rather than stop at the first 429s.
        retry = RetryPolicy(attempts=attempts, max_backoff_s=30.0)
        # No token given: the client's own default, REWARD_SERVICE_TOKEN from the environment.
        auth = {"api_token": token} if token is not None else {}
        self._client = AsyncRewardClient(url, timeout_s=timeout_s, retry=retry, **auth)

    async def start(self) -> None:
        return None

    async def score(self, items: Sequence[AnyItem], options: ScoreOptions) -> list[dict[str, Any]]:
        wire = [item.model_dump(mode="json", exclude_none=True) for item in items]
        try:
            results = await self._client.score(wire, options.model_dump(mode="json", exclude_none=True))
        except self._client_error as exc:
            raise ScoringUnavailable(str(exc)) from exc
        return [dataclasses.asdict(result) for result in results]

    async def aclose(self) -> None:
        await self._client.aclose()
