"""AsyncRewardClient: the asyncio client (httpx.AsyncClient).

An httpx.AsyncClient belongs to the event loop it was first used on, so the session,
the concurrency limit and the micro-batchers are kept per running loop (and per
process): one client object can serve a trainer's daemon loop and `asyncio.run` calls alike.
"""

from __future__ import annotations

import asyncio
import os
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from reward_client.batching import AsyncMicroBatcher
from reward_client.config import ClientConfig
from reward_client.errors import RequestRejected, ServiceUnavailable
from reward_client.sessions import session_body, session_path
from reward_client.wire import (
    JSON_HEADERS,
    Item,
    ScoreResult,
    checked_json,
    chunks,
    encode_json,
    halves_if_too_large,
    options_key,
    parse_score_response,
    prepare_items,
    score_body,
)


@dataclass
class _LoopState:
    http: httpx.AsyncClient
    in_flight: asyncio.Semaphore
    batchers: dict[str, AsyncMicroBatcher[dict[str, Any], ScoreResult]] = field(default_factory=dict)


class AsyncRewardClient:
    """The awaitable twin of `RewardClient`: `await score(items)`, `await score_one(item)`."""

    def __init__(self, url: str | None = None, **config: Any) -> None:
        self.config = ClientConfig(url=url, **config) if url is not None else ClientConfig(**config)
        self._reset()

    @classmethod
    def from_config(cls, config: ClientConfig) -> AsyncRewardClient:
        client = cls.__new__(cls)
        client.__setstate__({"config": config})
        return client

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopState] = weakref.WeakKeyDictionary()

    def __repr__(self) -> str:
        return f"AsyncRewardClient({self.config.url!r})"

    def __getstate__(self) -> dict[str, Any]:
        return {"config": self.config}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.config = state["config"]
        self._reset()

    def _loop_state(self) -> _LoopState:
        if self._pid != os.getpid():
            self._reset()
        loop = asyncio.get_running_loop()
        state = self._loops.get(loop)
        if state is None:
            state = self._loops[loop] = _LoopState(
                http=httpx.AsyncClient(**self.config.http_options()),
                in_flight=asyncio.Semaphore(self.config.max_concurrency),
            )
        return state

    async def _request(self, method: str, path: str, content: bytes | None = None) -> httpx.Response:
        state = self._loop_state()
        policy = self.config.retry
        attempt = 0
        while True:
            try:
                async with state.in_flight:
                    response = await state.http.request(method, path, content=content, headers=JSON_HEADERS)
            except httpx.TransportError as exc:
                delay = policy.after_error(exc, attempt)
                if delay is None:
                    raise ServiceUnavailable(
                        f"{method} {self.config.url}{path} failed after {attempt + 1} tries: {exc!r}"
                    ) from exc
            else:
                delay = policy.after_response(response, attempt)
                if delay is None:
                    return response
            await asyncio.sleep(delay)
            attempt += 1

    async def post_json(self, path: str, body: Any) -> Any:
        """POST a JSON body to any route with this client's retries and limits; the decoded answer."""
        return checked_json(await self._request("POST", path, encode_json(body)))

    async def _post_score(
        self, items: Sequence[dict[str, Any]], options: Mapping[str, Any] | None
    ) -> list[ScoreResult]:
        try:
            return parse_score_response(await self._request("POST", "/score", score_body(items, options)), len(items))
        except RequestRejected as exc:
            halves = halves_if_too_large(exc, items)
            if halves is None:
                raise
            return [result for half in halves for result in await self._post_score(half, options)]

    async def score(self, items: Sequence[Item], options: Mapping[str, Any] | None = None) -> list[ScoreResult]:
        """One result per item, in order."""
        prepared = prepare_items(items)
        if len(prepared) <= self.config.max_batch_items:
            return await self._post_score(prepared, options) if prepared else []
        parts = await asyncio.gather(
            *(self._post_score(part, options) for part in chunks(prepared, self.config.max_batch_items))
        )
        return [result for part in parts for result in part]

    async def score_one(self, item: Item, options: Mapping[str, Any] | None = None) -> ScoreResult:
        """Score one item, merged into one request with the concurrent calls on this event loop."""
        return (await self.batcher(options).submit(prepare_items([item])))[0]

    def batcher(self, options: Mapping[str, Any] | None = None) -> AsyncMicroBatcher[dict[str, Any], ScoreResult]:
        state = self._loop_state()
        key = options_key(options)
        batcher = state.batchers.get(key)
        if batcher is None:
            batcher = state.batchers[key] = AsyncMicroBatcher(
                lambda items: self.score(items, options), self.config.batch_window_s, self.config.batch_max_items
            )
        return batcher

    async def open_session(
        self,
        limits: Mapping[str, Any] | None = None,
        idle_ttl_s: float | None = None,
        files: Mapping[str, str] | None = None,
        language: str = "python",
    ) -> dict[str, Any]:
        """Open a session (`POST /sessions`): a Python interpreter whose state persists between
        cells. Its description, `id` first. A full server (429) is retried after its Retry-After."""
        body = session_body(limits, idle_ttl_s, files, language)
        opened: dict[str, Any] = checked_json(await self._request("POST", "/sessions", encode_json(body)))
        return opened

    async def run_cell(self, session_id: str, code: str) -> dict[str, Any]:
        """Run a cell in a session: status, stdout, stderr, value, error (`reward_client.sessions.cell_text`
        reads it as a model would). An unknown session is RequestRejected 404; a cell while another runs, 409."""
        path = session_path(session_id, "run")
        result: dict[str, Any] = checked_json(await self._request("POST", path, encode_json({"code": code})))
        return result

    async def get_session(self, session_id: str) -> dict[str, Any] | None:
        """A session's description, or None when there is none (ended, reaped, another token's)."""
        response = await self._request("GET", session_path(session_id))
        if response.status_code == 404:
            return None
        described: dict[str, Any] = checked_json(response)
        return described

    async def close_session(self, session_id: str) -> bool:
        """End a session (`DELETE /sessions/{id}`); False when there was none."""
        response = await self._request("DELETE", session_path(session_id))
        if response.status_code == 404:
            return False
        if not response.is_success:
            checked_json(response)
        return True

    async def aclose(self) -> None:
        """Close the session of the running event loop (sessions of other loops close with their loop)."""
        if self._pid != os.getpid():
            return
        state = self._loops.pop(asyncio.get_running_loop(), None)
        if state is not None:
            await state.http.aclose()

    async def __aenter__(self) -> AsyncRewardClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
