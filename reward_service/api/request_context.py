"""Per-request context: the request id, one access log line, the response counter.

The id comes from the caller's `X-Request-ID` header when it is a sane token
(so a trainer can correlate its own logs), else a fresh one is generated. It is
set in `request_id_var` for everything the request runs, echoed in the response
header, and written on every log line (see `reward_service.logging_setup`).
"""

from __future__ import annotations

import logging
import re
import uuid
from time import perf_counter

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reward_service.api.token_path import redact_token_path
from reward_service.logging_setup import request_id_var

REQUEST_ID_HEADER = "x-request-id"
# Echoed into logs and headers: refuse anything that could forge log fields or bloat them.
_ACCEPTED_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

access_log = logging.getLogger("reward_service.access")


def request_id_from(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == REQUEST_ID_HEADER.encode():
            candidate = value.decode("latin-1")
            if _ACCEPTED_ID.fullmatch(candidate):
                return candidate
            break
    return uuid.uuid4().hex


def _route_template(scope: Scope) -> str:
    """The matched route's path template: bounded label values, whatever paths clients send."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(scope)
        token = request_id_var.set(request_id)
        started = perf_counter()
        status = 500  # what the client sees if the app fails before answering

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != REQUEST_ID_HEADER.encode()]
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            duration_ms = round((perf_counter() - started) * 1000, 2)
            route = _route_template(scope)
            path = redact_token_path(scope["path"])
            fields = {"method": scope["method"], "path": path, "route": route, "status": status}
            access_log.info("%s %s %d", scope["method"], path, status, extra={**fields, "duration_ms": duration_ms})
            _count_response(scope, route, status)
            request_id_var.reset(token)


def _count_response(scope: Scope, route: str, status: int) -> None:
    app = scope.get("app")
    context = getattr(getattr(app, "state", None), "scoring", None)
    if context is not None:
        method = scope["method"] if scope["method"] in _METHODS else "other"
        context.metrics.http_responses.labels(method, route, str(status)).inc()
