"""A warm pool of sandbox sessions: start-up cost paid ahead of time, never per item.

At most `size` requests run at once. With recycle="dirty" a session serves
request after request for as long as its driver reports it clean (every process
the program started was killed and the writable mounts wiped) and is replaced
otherwise; with recycle="always" every session serves exactly one request, and
spare sessions are started in the background to hide the start-up time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, Literal

from reward_sandbox.backends.base import SandboxBackend, SandboxUnavailable
from reward_sandbox.session import DriverSession, SessionBroken

RecyclePolicy = Literal["dirty", "always"]
log = logging.getLogger(__name__)


class SandboxPool:
    def __init__(self, backend: SandboxBackend, size: int, recycle: RecyclePolicy = "dirty") -> None:
        self.backend = backend
        self.size = size
        self.recycle = recycle
        self._slots = asyncio.Semaphore(size)
        self._ready: asyncio.Queue[DriverSession] = asyncio.Queue()
        self._starting: set[asyncio.Task[None]] = set()
        self._sessions: set[DriverSession] = set()
        self.unavailable: str | None = "the sandbox pool has not been started"
        self.sessions_started = 0
        self.sessions_recycled = 0
        self.reaped = 0
        self.last_error: str | None = None
        self.warning: str | None = None
        self._closing: set[asyncio.Task[None]] = set()

    @property
    def warm(self) -> int:
        return self._ready.qsize()

    @property
    def _target(self) -> int:
        # Recycling after every request needs spares warming while the others run.
        return self.size * 2 if self.recycle == "always" else self.size

    async def start(self) -> None:
        """Reap leftovers, check the backend, and warm the pool. Never raises: an
        unusable backend is recorded in `unavailable`, and code items say why."""
        try:
            self.reaped = await self.backend.reap()
            await self.backend.check()
            self.unavailable = None
        except SandboxUnavailable as exc:
            self.unavailable = str(exc)
        except Exception as exc:  # a broken backend must not take math scoring down with it
            self.unavailable = f"the {self.backend.name} sandbox failed its start-up check: {type(exc).__name__}: {exc}"
        if self.unavailable is not None:
            # Said once, loudly: every code item would otherwise be a quiet sandbox_error.
            log.error("sandbox: code items cannot run: %s", self.unavailable)
            return
        log.info("sandbox: %s backend%s", self.backend.name, f", {self.backend.detail}" if self.backend.detail else "")
        if self.backend.warning is not None:
            self.warning = self.backend.warning
            log.warning("sandbox: %s", self.warning)
        for _ in range(self._target):
            self._spawn()

    def _spawn(self) -> None:
        task = asyncio.create_task(self._open_one())
        self._starting.add(task)
        task.add_done_callback(self._starting.discard)

    async def _open_one(self) -> None:
        try:
            session = await self.backend.open_session()
        except Exception as exc:
            # Counted as missing: the next request starts another, and waits in vain report this.
            self.last_error = f"{type(exc).__name__}: {exc}"
            return
        self.sessions_started += 1
        self._sessions.add(session)
        self._ready.put_nowait(session)

    async def _acquire(self) -> DriverSession:
        with contextlib.suppress(asyncio.QueueEmpty):
            return self._ready.get_nowait()
        if not self._starting:
            self._spawn()
        return await self._ready.get()

    async def execute(self, request: dict[str, Any], timeout_s: float) -> dict[str, Any]:
        """Send one request to a warm session. Raises SandboxUnavailable or SessionBroken."""
        if self.unavailable is not None:
            raise SandboxUnavailable(self.unavailable)
        async with self._slots:
            try:
                session = await asyncio.wait_for(self._acquire(), timeout=timeout_s)
            except asyncio.TimeoutError as exc:
                raise SessionBroken(
                    f"no sandbox session could be started in {timeout_s:g} s: {self.last_error}", retryable=False
                ) from exc
            keep = False
            try:
                reply = await session.request(request, timeout_s)
                keep = self.recycle == "dirty" and bool(reply.get("clean"))
                return reply
            finally:
                if keep:
                    self._ready.put_nowait(session)
                else:
                    self.sessions_recycled += 1
                    self._sessions.discard(session)
                    self._spawn()
                    # Removal (a container stop) must not delay this item's verdict.
                    closing = asyncio.create_task(_close_quietly(session))
                    self._closing.add(closing)
                    closing.add_done_callback(self._closing.discard)

    async def close(self) -> None:
        for task in list(self._starting):
            task.cancel()
        await asyncio.gather(*self._starting, return_exceptions=True)
        await asyncio.gather(*(_close_quietly(s) for s in list(self._sessions)), *self._closing)
        self._sessions.clear()
        await self.backend.close()
        self.unavailable = "the sandbox pool is closed"


async def _close_quietly(session: DriverSession) -> None:
    with contextlib.suppress(Exception):
        await session.close()


__all__ = ["RecyclePolicy", "SandboxPool", "SessionBroken"]
