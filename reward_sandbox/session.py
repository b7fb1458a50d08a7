"""A session: one long-lived driver process inside a sandbox, and the line protocol to it.

The driver reads one JSON request per line and answers one JSON line. Backends
differ only in how the driver is started and how its stdin/stdout are reached:
a pipe to a local process (bwrap), or the attach stream of a container (docker).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import struct
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)

_CLOSE_WAIT_S = 10.0
# Replies carry program output (capped per run by the driver), so lines can be long.
MAX_REPLY_BYTES = 256 * 1024 * 1024


class SessionBroken(Exception):
    """The driver stopped answering or died; the session must be discarded.

    `retryable` is False when the driver ran out of time: trying again on another
    session would cost the item's whole time budget a second time.

    `out_of_memory` is True when the session's memory cgroup OOM-killed the driver while
    it ran the request. Only the programs of the request can fill the session's memory
    (the driver's own use is small and bounded), so this is the program's failure: its
    verdict is memory_limit, never a retry or a null.
    """

    def __init__(self, message: str, *, retryable: bool = True, out_of_memory: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable and not out_of_memory
        self.out_of_memory = out_of_memory


class DriverSession(ABC):
    def __init__(self) -> None:
        self._lock = asyncio.Lock()

    async def request(self, payload: dict[str, Any], timeout_s: float) -> dict[str, Any]:
        async with self._lock:
            line = (json.dumps(payload) + "\n").encode()
            try:
                await asyncio.wait_for(self._exchange(line), timeout_s)
                reply = await asyncio.wait_for(self._read_line(), timeout_s)
            except asyncio.TimeoutError as exc:
                raise SessionBroken(
                    f"the sandbox driver did not answer within {timeout_s:g} s", retryable=False
                ) from exc
            except (ConnectionError, OSError, asyncio.IncompleteReadError) as exc:
                raise await self._ended(f"the sandbox session ended: {type(exc).__name__}: {exc}") from exc
            except (ValueError, asyncio.LimitOverrunError) as exc:
                # StreamReader.readline past its limit; the driver caps its replies, so
                # this is a driver fault, and the session's stream is out of step now.
                raise SessionBroken(f"the sandbox driver's reply is too large: {exc}", retryable=False) from exc
            if not reply:
                raise await self._ended("the sandbox session ended before answering")
            try:
                decoded: dict[str, Any] = json.loads(reply)
                runs = decoded.get("runs", [])
                judged = [run.get(key) for run in runs if isinstance(run, dict) for key in ("check", "interact")]
                compiles = [decoded.get(key) for key in ("compile", "checker_compile", "interactor_compile")]
                for run in [*compiles, *runs, *judged]:
                    if isinstance(run, dict) and "stdout_b64" in run:
                        run["stdout"] = base64.b64decode(run.pop("stdout_b64")).decode("utf-8", "replace")
            except (ValueError, TypeError, AttributeError, binascii.Error) as exc:
                raise SessionBroken("the sandbox driver sent an unreadable reply") from exc
            if decoded.get("undumpable_error"):
                # Its memory and descriptors were open to the programs (docs/security.md):
                # nothing it reports counts, and every session here would fail the same way.
                raise SessionBroken(
                    f"the sandbox driver could not make itself undumpable: {decoded['undumpable_error']}",
                    retryable=False,
                )
            return decoded

    async def _ended(self, message: str) -> SessionBroken:
        if await self._driver_killed_for_memory():
            return SessionBroken(
                f"{message}: the session's memory cgroup killed the sandbox driver while the program ran "
                "(the program filled the session's memory)",
                out_of_memory=True,
            )
        return SessionBroken(message)

    async def _driver_killed_for_memory(self) -> bool:
        """Whether the OOM killer ended the driver during the last request; False when unknown."""
        return False

    @abstractmethod
    async def _exchange(self, line: bytes) -> None: ...

    @abstractmethod
    async def _read_line(self) -> bytes: ...

    @abstractmethod
    async def close(self) -> None: ...


class ProcessSession(DriverSession):
    """A driver started as a local child process (bwrap, or unisolated in development)."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        super().__init__()
        self.process = process

    async def _exchange(self, line: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line)
        await self.process.stdin.drain()

    async def _read_line(self) -> bytes:
        assert self.process.stdout is not None
        return await self.process.stdout.readline()

    async def close(self) -> None:
        # EOF on stdin ends the driver by itself (and with it everything in its PID
        # namespace), even if a process of the sandbox outlived the kill below.
        if self.process.stdin is not None:
            self.process.stdin.close()
        if self.process.returncode is None:
            try:
                self.process.kill()
            except ProcessLookupError:
                pass
        # asyncio's wait() also waits for the pipes to close, which a process inside the
        # sandbox may hold a while longer: a session's end must never hang the pool.
        try:
            await asyncio.wait_for(self.process.wait(), _CLOSE_WAIT_S)
        except asyncio.TimeoutError:
            log.warning(
                "sandbox session %s: still holding its pipes %g s after the kill", self.process.pid, _CLOSE_WAIT_S
            )


class AttachedStreamSession(DriverSession):
    """A driver inside a container, reached through Docker's attach stream.

    Without a TTY, Docker multiplexes stdout and stderr on one connection: each
    frame is an 8-byte header (stream id, 3 zero bytes, big-endian length) and
    its payload. Only stdout frames belong to the protocol.
    """

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        stop: Callable[[], Awaitable[None]],
        oom_killed: Callable[[], Awaitable[bool]] | None = None,
    ) -> None:
        super().__init__()
        self._reader = reader
        self._writer = writer
        self._stop = stop
        self._oom_killed = oom_killed
        self._buffer = bytearray()

    async def _driver_killed_for_memory(self) -> bool:
        return self._oom_killed is not None and await self._oom_killed()

    async def _exchange(self, line: bytes) -> None:
        self._writer.write(line)
        await self._writer.drain()

    async def _read_line(self) -> bytes:
        while True:
            newline = self._buffer.find(b"\n")
            if newline >= 0:
                line = bytes(self._buffer[: newline + 1])
                del self._buffer[: newline + 1]
                return line
            if len(self._buffer) > MAX_REPLY_BYTES:
                raise SessionBroken("the sandbox driver's reply is too large")
            header = await self._reader.readexactly(8)
            stream, length = header[0], struct.unpack(">I", header[4:])[0]
            payload = await self._reader.readexactly(length)
            # Other streams (the driver's stderr) carry nothing of the protocol.
            if stream == 1:
                self._buffer.extend(payload)

    async def close(self) -> None:
        self._writer.close()
        try:
            await self._writer.wait_closed()
        except OSError:
            pass
        await self._stop()
