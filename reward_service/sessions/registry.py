"""The open sessions of this server: who owns each, what it may use, and when it ends.

A session is a kernel sandbox of its own (reward_sandbox/kernel.py) for one caller's
trajectory. The registry enforces what the sandbox cannot see: the caps on open
sessions (per server, per token), one cell at a time per session, the CPU time all of
a session's cells share, and the idle TTL, after which the reaper ends the session.
A session is found only with the token that opened it; any other caller gets the same
answer as for a session that never was, so ids cannot be probed.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from reward_sandbox import LANGUAGES, Limits, SandboxUnavailable, create_backend
from reward_sandbox.backends.base import SandboxBackend
from reward_sandbox.kernel import CellReply, KernelLimits, KernelSandbox, unrun_cell
from reward_service.exceptions import SessionBusy, SessionNotFound, SessionsFull, SessionsUnavailable
from reward_service.sessions.base import SessionDescription, SessionSpec
from reward_service.settings import Settings
from reward_service.verifiers.code.limits import request_timeout_s, run_limits, wall_s

log = logging.getLogger(__name__)

# How often the reaper looks for idle sessions, at most.
_REAP_EVERY_S = 5.0


@dataclass
class OpenSession:
    id: str
    owner: str
    language: str
    spec: SessionSpec
    kernel: KernelSandbox
    cells: int = 0
    cpu_used_s: float = 0.0
    last_used: float = field(default_factory=time.monotonic)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # The sandbox was replaced after it failed: the next cell says it runs in a fresh interpreter.
    replaced: bool = False

    @property
    def wall_s(self) -> float:
        return wall_s(self.spec.time_s)

    @property
    def idle_s(self) -> float:
        return 0.0 if self.lock.locked() else time.monotonic() - self.last_used

    def describe(self, worker: str | None = None) -> SessionDescription:
        spec = self.spec
        return SessionDescription(
            id=self.id,
            language=self.language,
            time_s=spec.time_s,
            wall_s=self.wall_s,
            memory_mb=spec.memory_mb,
            output_kb=spec.output_kb,
            cpu_s=spec.cpu_s,
            cpu_used_s=round(self.cpu_used_s, 3),
            cells=self.cells,
            idle_ttl_s=spec.idle_ttl_s,
            idle_s=round(self.idle_s, 3),
            busy=self.lock.locked(),
            worker=worker,
        )


class SessionRegistry:
    """The sessions of this process (the embedded default, or one session worker's)."""

    def __init__(
        self,
        settings: Settings,
        backend: SandboxBackend | None,
        unavailable: str | None = None,
        worker: str | None = None,
        on_end: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        self._settings = settings
        self._worker = worker
        # Told of each session that ends here, whatever ended it (a session worker forgets its route).
        self._on_end = on_end
        self._backend = backend
        self._unavailable = unavailable
        self._sessions: dict[str, OpenSession] = {}
        self._opening = 0  # counted against the caps while their sandbox starts

    def _room_for(self, owner: str) -> None:
        settings = self._settings
        if self._unavailable is not None or self._backend is None:
            raise SessionsUnavailable(self._unavailable or "sessions are off on this server")
        if self.room == 0:
            raise SessionsFull(
                f"this server holds {settings.session_max_open} open sessions (REWARD_SESSION_MAX_OPEN): "
                f"end finished ones (DELETE /sessions/{{id}}), or retry in {settings.retry_after_s} s"
            )
        mine = sum(1 for session in self._sessions.values() if session.owner == owner)
        if mine >= settings.session_max_per_token:
            raise SessionsFull(
                f"this token holds {mine} open sessions, the most one token may (REWARD_SESSION_MAX_PER_TOKEN): "
                "end finished ones first"
            )

    async def open(self, owner: str, spec: SessionSpec, language: str = "python") -> SessionDescription:
        self._room_for(owner)
        assert self._backend is not None
        self._opening += 1
        try:
            session = OpenSession(secrets.token_urlsafe(16), owner, language, spec, await self._kernel(spec))
        finally:
            self._opening -= 1
        self._sessions[session.id] = session
        log.info("session opened", extra={"session": session.id, "open_sessions": len(self._sessions)})
        return session.describe(self._worker)

    async def _kernel(self, spec: SessionSpec) -> KernelSandbox:
        """A sandbox of its own with the interpreter started and the session's files in its work
        dir, so that the first cell costs no start-up."""
        assert self._backend is not None
        try:
            driver = await self._backend.open_session()
        except SandboxUnavailable as exc:
            raise SessionsUnavailable(f"a sandbox for the session could not start: {exc}") from exc
        kernel = KernelSandbox(driver, self._backend.harness_path)
        started = await kernel.run_cell(
            "", self._limits(spec, spec.time_s), request_timeout_s([spec.time_s]), files=dict(spec.files), number=0
        )
        if started["status"] != "ok":
            await kernel.close()
            error = started["error"]
            raise SessionsUnavailable(
                f"the session's interpreter could not start: {error['message'] if error else started}"
            )
        return kernel

    async def describe(self, owner: str, session_id: str) -> SessionDescription:
        return self.get(owner, session_id).describe(self._worker)

    def get(self, owner: str, session_id: str) -> OpenSession:
        session = self._sessions.get(session_id)
        if session is None or not secrets.compare_digest(session.owner, owner):
            raise SessionNotFound(
                f"no session {session_id[:64]!r}: it ended, was reaped after its idle TTL, or never was"
            )
        return session

    def _limits(self, spec: SessionSpec, time_s: float) -> KernelLimits:
        """The driver's limits of one cell of a Python session, given the CPU time it may use."""
        limits = run_limits(
            Limits(time_s=time_s, memory_mb=spec.memory_mb, output_kb=spec.output_kb),
            LANGUAGES["python"],
            self._backend.per_session_uid if self._backend is not None else False,
        )
        return {
            "time_s": float(limits["time_s"]),
            "wall_s": float(limits["wall_s"]),
            "memory_mb": int(limits["memory_mb"]),
            "output_kb": int(limits["output_kb"]),
            "file_kb": int(limits["file_kb"]),
            "address_space_mb": limits.get("address_space_mb"),
            "processes": limits.get("processes"),
            "session_cpu_s": spec.cpu_s,
        }

    async def _replace_kernel(self, session: OpenSession) -> None:
        """After the sandbox failed: a fresh one (the state is lost, the files come back), or
        none, and every later cell says sandbox_error until the session ends."""
        await session.kernel.close()
        try:
            session.kernel = await self._kernel(session.spec)
            session.replaced = True
        except SessionsUnavailable as exc:
            log.warning("a session's sandbox could not be replaced: %s", exc, extra={"session": session.id})

    async def run_cell(self, owner: str, session_id: str, code: str) -> tuple[int, CellReply]:
        session = self.get(owner, session_id)
        if session.lock.locked():
            raise SessionBusy(f"a cell is running in session {session_id}: send the next one when it has answered")
        async with session.lock:
            session.cells += 1
            left = session.spec.cpu_s - session.cpu_used_s
            if left <= 0:
                message = (
                    f"the session's cells used all of its {session.spec.cpu_s:g} s of CPU time: end it and open another"
                )
                reply = unrun_cell("timeout", "SessionCpuSpent", message, state_lost=False)
            else:
                time_s = min(session.spec.time_s, left)
                limits = self._limits(session.spec, time_s)
                reply = await session.kernel.run_cell(code, limits, request_timeout_s([time_s]), number=session.cells)
                session.cpu_used_s += reply["cpu_s"]
                if session.replaced:
                    reply["restarted"], session.replaced = True, False
                if reply["status"] == "sandbox_error":
                    await self._replace_kernel(session)
            session.last_used = time.monotonic()
            return session.cells, reply

    async def close(self, owner: str, session_id: str) -> None:
        session = self.get(owner, session_id)
        await self._end(session, "closed")

    async def _end(self, session: OpenSession, why: str) -> None:
        if self._sessions.pop(session.id, None) is None:
            return
        try:
            await session.kernel.close()
        except Exception:  # ending must not fail: the sandbox is gone or going either way
            log.exception("closing a session's sandbox failed", extra={"session": session.id})
        if self._on_end is not None:
            try:
                await self._on_end(session.id)
            except Exception:
                log.exception("recording a session's end failed", extra={"session": session.id})
        log.info(f"session {why}", extra={"session": session.id, "open_sessions": len(self._sessions)})

    @property
    def room(self) -> int:
        """How many more sessions this registry would open now (0 when it runs none)."""
        if self._backend is None or self._unavailable is not None:
            return 0
        return max(self._settings.session_max_open - len(self._sessions) - self._opening, 0)

    async def reap_idle(self) -> int:
        """Ends the sessions idle past their TTL; returns how many."""
        idle = [s for s in self._sessions.values() if not s.lock.locked() and s.idle_s > s.spec.idle_ttl_s]
        for session in idle:
            await self._end(session, "reaped after its idle TTL")
        return len(idle)

    async def aclose(self) -> None:
        for session in list(self._sessions.values()):
            await self._end(session, "ended with the server")
        if self._backend is not None:
            await self._backend.close()


async def _reap_forever(registry: SessionRegistry, every_s: float) -> None:
    while True:
        await asyncio.sleep(every_s)
        try:
            await registry.reap_idle()
        except Exception:  # the reaper must outlive one bad close
            log.exception("reaping idle sessions failed")


@asynccontextmanager
async def open_local_sessions(
    settings: Settings, worker: str | None = None, on_end: Callable[[str], Awaitable[None]] | None = None
) -> AsyncIterator[SessionRegistry]:
    """The sessions of this process, for the app's lifespan or a session worker's life: a
    sandbox backend of their own (sessions never share the scoring pool's sandboxes),
    checked once, and the reaper."""
    backend: SandboxBackend | None = None
    unavailable: str | None = None
    if settings.session_max_open == 0:
        unavailable = "sessions are off on this server (REWARD_SESSION_MAX_OPEN=0)"
    else:
        backend = create_backend(settings.sandbox_backend, settings.code_maxima(), image=settings.sandbox_image)
        try:
            await backend.check()
            # The sandboxes of a process that died here (a killed session worker's containers).
            await backend.reap()
        except SandboxUnavailable as exc:
            unavailable = f"no sandbox for sessions: {exc}"
            backend = None
    if unavailable is not None:
        log.warning("sessions unavailable: %s", unavailable)
    registry = SessionRegistry(settings, backend, unavailable, worker, on_end)
    every_s = min(_REAP_EVERY_S, settings.session_idle_ttl_s / 4)
    reaper = asyncio.create_task(_reap_forever(registry, every_s))
    try:
        yield registry
    finally:
        reaper.cancel()
        await registry.aclose()
