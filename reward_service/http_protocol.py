"""uvicorn's HTTP protocol with a deadline for reading each request.

uvicorn times out idle keep-alive connections but not a client that connects and
never finishes its headers, or sends a body one byte a minute: each such
connection holds a socket, parser state and (for a body) a task forever, and a
few thousand of them exhaust the server. Here every request must be read whole
(headers and body) within ``request_read_timeout_s`` of its first byte, or of
the connection opening; otherwise the connection is closed. A deadline, not an
idle timer: trickling one byte at a time does not extend it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class _ReadDeadlineProtocol(HttpToolsProtocol):
    read_timeout_s: float = 60.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._read_deadline: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        self._disarm()
        self._read_deadline = self.loop.call_later(self.read_timeout_s, self._read_too_slow)

    def _disarm(self) -> None:
        if self._read_deadline is not None:
            self._read_deadline.cancel()
            self._read_deadline = None

    def _read_too_slow(self) -> None:
        self._read_deadline = None
        if not self.transport.is_closing():
            self.logger.info("closing a connection whose request took over %g s to arrive", self.read_timeout_s)
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        # Between requests uvicorn's keep-alive timeout applies; the next request re-arms.
        self._disarm()
        super().on_response_complete()


def read_deadline_protocol(read_timeout_s: float) -> type[HttpToolsProtocol]:
    """The protocol class to pass as uvicorn's ``http=``, with this deadline."""
    return type("ReadDeadlineProtocol", (_ReadDeadlineProtocol,), {"read_timeout_s": read_timeout_s})
