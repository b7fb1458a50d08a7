"""Structured logs: one JSON object per line, each carrying the request id.

The API puts the request id of the request being served in `request_id_var`
(see `reward_service.api.request_context`). Code that hands work to another process
reads it with `current_request_id()` and sends it along (RQ: in the job's
`meta`); the worker wraps the job in `bound_request_id(...)`, so every log line
the job writes names the request that caused it.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from reward_service.settings import Settings

request_id_var: ContextVar[str | None] = ContextVar("reward_request_id", default=None)

# Loggers of the server libraries, routed through the root handler.
_SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "rq", "rq.worker")


def current_request_id() -> str | None:
    """The id of the request this code runs for, or None outside a request."""
    return request_id_var.get()


@contextmanager
def bound_request_id(request_id: str | None) -> Iterator[None]:
    """Run a block (a worker's job) under the request id it was queued with."""
    token = request_id_var.set(request_id)
    try:
        yield
    finally:
        request_id_var.reset(token)


class RequestIdFilter(logging.Filter):
    """Stamps every record with the current request id (None outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


def json_formatter() -> logging.Formatter:
    return JsonFormatter(
        "%(levelname)s %(name)s %(message)s %(request_id)s",
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp="time",  # ISO 8601, UTC, with microseconds
        # uvicorn attaches an ANSI-coloured copy of some messages; the plain one is enough.
        reserved_attrs=[*RESERVED_ATTRS, "color_message"],
    )


def text_formatter() -> logging.Formatter:
    return logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")


def configure_logging(settings: Settings) -> None:
    """Send every log record to stdout in the configured format. Call once, from an entry point."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(json_formatter() if settings.log_format == "json" else text_formatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    for name in _SERVER_LOGGERS:
        server_logger = logging.getLogger(name)
        server_logger.handlers.clear()
        server_logger.propagate = True
    # The request-context middleware writes one access line per request, with its id;
    # uvicorn's own access lines would duplicate it without one.
    logging.getLogger("uvicorn.access").disabled = True
