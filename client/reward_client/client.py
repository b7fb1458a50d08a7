"""RewardClient: the synchronous client (httpx.Client), usable from any thread.

The HTTP session, the thread pool and the micro-batchers are opened lazily and belong
to one process: a pickled or forked copy opens its own on first use.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

from reward_client.async_client import AsyncRewardClient
from reward_client.batching import MicroBatcher
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
class _ProcessState:
    pid: int
    http: httpx.Client
    in_flight: threading.BoundedSemaphore
    lock: threading.Lock = field(default_factory=threading.Lock)
    pool: ThreadPoolExecutor | None = None
    batchers: dict[str, MicroBatcher[dict[str, Any], ScoreResult]] = field(default_factory=dict)


class RewardClient:
    """Score items against a reward-service.

    `score(items)` splits a large batch into concurrent requests; `score_one(item)` is
    micro-batched with the other single-item calls of this process. `ascore` and
    `ascore_one` are their awaitable twins (an `AsyncRewardClient` with the same config).
    """

    def __init__(self, url: str | None = None, **config: Any) -> None:
        self.__setstate__({"config": ClientConfig(url=url, **config) if url is not None else ClientConfig(**config)})

    @classmethod
    def from_config(cls, config: ClientConfig) -> RewardClient:
        client = cls.__new__(cls)
        client.__setstate__({"config": config})
        return client

    def __repr__(self) -> str:
        return f"RewardClient({self.config.url!r})"

    # Pickling carries the configuration only; sessions are per process.
    def __getstate__(self) -> dict[str, Any]:
        return {"config": self.config}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.config: ClientConfig = state["config"]
        self._state: _ProcessState | None = None
        self._twin: AsyncRewardClient | None = None
        self._setup_lock = threading.Lock()
        self._setup_pid = os.getpid()

    def _lock(self) -> threading.Lock:
        if self._setup_pid != os.getpid():
            # A lock copied by fork may be held by a parent thread that does not exist here.
            self._setup_lock, self._setup_pid = threading.Lock(), os.getpid()
        return self._setup_lock

    def _process_state(self) -> _ProcessState:
        state = self._state
        if state is not None and state.pid == os.getpid():
            return state
        with self._lock():
            state = self._state
            if state is None or state.pid != os.getpid():
                # After a fork the parent's connections, locks and pool threads are not ours: start afresh.
                state = self._state = _ProcessState(
                    pid=os.getpid(),
                    http=httpx.Client(**self.config.http_options()),
                    in_flight=threading.BoundedSemaphore(self.config.max_concurrency),
                )
        return state

    def _request(self, method: str, path: str, content: bytes | None = None) -> httpx.Response:
        state = self._process_state()
        policy = self.config.retry
        attempt = 0
        while True:
            try:
                with state.in_flight:
                    response = state.http.request(method, path, content=content, headers=JSON_HEADERS)
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
            time.sleep(delay)
            attempt += 1

    def post_json(self, path: str, body: Any) -> Any:
        """POST a JSON body to any route with this client's retries and limits; the decoded answer."""
        return checked_json(self._request("POST", path, encode_json(body)))

    def put_problem(self, problem_id: str, problem: Mapping[str, Any]) -> Any:
        """Store a problem (`PUT /problems/{id}`): its id, hash, cases and size as the service answers."""
        return checked_json(self._request("PUT", f"/problems/{quote(problem_id, safe='')}", encode_json(problem)))

    def delete_problem(self, problem_id: str) -> bool:
        """Forget a stored problem (`DELETE /problems/{id}`); False when there was none."""
        response = self._request("DELETE", f"/problems/{quote(problem_id, safe='')}")
        if response.status_code == 404:
            return False
        if not response.is_success:
            checked_json(response)
        return True

    def get_problem(self, problem_id: str) -> Any | None:
        """A stored problem (`GET /problems/{id}`: id, hash, problem), or None when there is none."""
        response = self._request("GET", f"/problems/{quote(problem_id, safe='')}")
        if response.status_code == 404:
            return None
        return checked_json(response)

    def open_session(
        self,
        limits: Mapping[str, Any] | None = None,
        idle_ttl_s: float | None = None,
        files: Mapping[str, str] | None = None,
        language: str = "python",
    ) -> dict[str, Any]:
        """Open a session (`POST /sessions`): a Python interpreter whose state persists between
        cells. Its description, `id` first. A full server (429) is retried after its Retry-After."""
        body = session_body(limits, idle_ttl_s, files, language)
        opened: dict[str, Any] = checked_json(self._request("POST", "/sessions", encode_json(body)))
        return opened

    def run_cell(self, session_id: str, code: str) -> dict[str, Any]:
        """Run a cell in a session (see AsyncRewardClient.run_cell)."""
        path = session_path(session_id, "run")
        result: dict[str, Any] = checked_json(self._request("POST", path, encode_json({"code": code})))
        return result

    def get_session(self, session_id: str) -> dict[str, Any] | None:
        """A session's description, or None when there is none (ended, reaped, another token's)."""
        response = self._request("GET", session_path(session_id))
        if response.status_code == 404:
            return None
        described: dict[str, Any] = checked_json(response)
        return described

    def close_session(self, session_id: str) -> bool:
        """End a session (`DELETE /sessions/{id}`); False when there was none."""
        response = self._request("DELETE", session_path(session_id))
        if response.status_code == 404:
            return False
        if not response.is_success:
            checked_json(response)
        return True

    def _post_score(self, items: Sequence[dict[str, Any]], options: Mapping[str, Any] | None) -> list[ScoreResult]:
        try:
            return parse_score_response(self._request("POST", "/score", score_body(items, options)), len(items))
        except RequestRejected as exc:
            halves = halves_if_too_large(exc, items)
            if halves is None:
                raise
            return [result for half in halves for result in self._post_score(half, options)]

    def score(self, items: Sequence[Item], options: Mapping[str, Any] | None = None) -> list[ScoreResult]:
        """One result per item, in order."""
        prepared = prepare_items(items)
        if len(prepared) <= self.config.max_batch_items:
            return self._post_score(prepared, options) if prepared else []
        state = self._process_state()
        with state.lock:
            if state.pool is None:
                state.pool = ThreadPoolExecutor(self.config.max_concurrency, thread_name_prefix="reward-client")
            pool = state.pool
        parts = pool.map(lambda part: self._post_score(part, options), chunks(prepared, self.config.max_batch_items))
        return [result for part in parts for result in part]

    def score_one(self, item: Item, options: Mapping[str, Any] | None = None) -> ScoreResult:
        """Score one item, merged into one request with the concurrent calls of other threads."""
        return self.batcher(options).submit(prepare_items([item]))[0]

    def batcher(self, options: Mapping[str, Any] | None = None) -> MicroBatcher[dict[str, Any], ScoreResult]:
        state = self._process_state()
        key = options_key(options)
        with state.lock:
            batcher = state.batchers.get(key)
            if batcher is None:
                batcher = state.batchers[key] = MicroBatcher(
                    lambda items: self.score(items, options), self.config.batch_window_s, self.config.batch_max_items
                )
        return batcher

    def _async(self) -> AsyncRewardClient:
        if self._twin is None:
            with self._lock():
                if self._twin is None:
                    self._twin = AsyncRewardClient.from_config(self.config)
        return self._twin

    async def ascore(self, items: Sequence[Item], options: Mapping[str, Any] | None = None) -> list[ScoreResult]:
        return await self._async().score(items, options)

    async def ascore_one(self, item: Item, options: Mapping[str, Any] | None = None) -> ScoreResult:
        return await self._async().score_one(item, options)

    def close(self) -> None:
        state, self._state = self._state, None
        if state is not None and state.pid == os.getpid():
            if state.pool is not None:
                state.pool.shutdown(wait=True)
            state.http.close()

    def __enter__(self) -> RewardClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
