"""Micro-batchers: merge values submitted concurrently into one call of `send`.

Trainers often ask for one reward at a time from many threads or coroutines (veRL's
reward loop, OpenRLHF's per-rollout reward calls); one HTTP request per item would spend
more time in round trips than in scoring. A batch is sent `window_s` after its first
value arrives, or as soon as it holds `max_items` values.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class _OpenBatch(Generic[T, R]):
    values: list[T] = field(default_factory=list)
    futures: list[Future[R]] = field(default_factory=list)
    full: threading.Event = field(default_factory=threading.Event)


class MicroBatcher(Generic[T, R]):
    """For threads. The first caller of a batch waits out the window, then sends for everyone.

    No background thread: nothing to stop, and nothing that breaks in a forked child.
    """

    def __init__(self, send: Callable[[list[T]], Sequence[R]], window_s: float, max_items: int) -> None:
        self._send = send
        self._window_s = window_s
        self._max_items = max_items
        self._lock = threading.Lock()
        self._open: _OpenBatch[T, R] | None = None

    def submit(self, values: Sequence[T]) -> list[R]:
        futures: list[Future[R]] = [Future() for _ in values]
        with self._lock:
            batch = self._open
            leader = batch is None
            if batch is None:
                batch = self._open = _OpenBatch()
            batch.values.extend(values)
            batch.futures.extend(futures)
            if len(batch.values) >= self._max_items:
                self._open = None
                batch.full.set()
        if leader:
            batch.full.wait(self._window_s)
            with self._lock:
                if self._open is batch:
                    self._open = None
            self._deliver(batch)
        return [future.result() for future in futures]

    def _deliver(self, batch: _OpenBatch[T, R]) -> None:
        try:
            results = self._send(batch.values)
        except BaseException as exc:  # every waiter must wake up, whatever happened
            for future in batch.futures:
                future.set_exception(exc)
            return
        for future, result in zip(batch.futures, results, strict=True):
            future.set_result(result)


class AsyncMicroBatcher(Generic[T, R]):
    """For coroutines of one event loop. A timer flushes the batch; callers only await their futures,
    so one cancelled caller never strands the others."""

    def __init__(self, send: Callable[[list[T]], Awaitable[Sequence[R]]], window_s: float, max_items: int) -> None:
        self._send = send
        self._window_s = window_s
        self._max_items = max_items
        self._values: list[T] = []
        self._futures: list[asyncio.Future[R]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._sending: set[asyncio.Task[None]] = set()  # the loop keeps only weak references to tasks

    async def submit(self, values: Sequence[T]) -> list[R]:
        loop = asyncio.get_running_loop()
        futures: list[asyncio.Future[R]] = [loop.create_future() for _ in values]
        self._values.extend(values)
        self._futures.extend(futures)
        if len(self._values) >= self._max_items:
            self._flush()
        elif self._timer is None:
            self._timer = loop.call_later(self._window_s, self._flush)
        return list(await asyncio.gather(*futures))

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        values, futures = self._values, self._futures
        self._values, self._futures = [], []
        if values:
            task = asyncio.get_running_loop().create_task(self._deliver(values, futures))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)

    async def _deliver(self, values: list[T], futures: list[asyncio.Future[R]]) -> None:
        try:
            results = await self._send(values)
        except asyncio.CancelledError:
            for future in futures:
                future.cancel()
            raise
        except Exception as exc:
            for future in futures:
                if not future.done():
                    future.set_exception(exc)
            return
        for future, result in zip(futures, results, strict=True):
            if not future.done():
                future.set_result(result)
