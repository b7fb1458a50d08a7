"""`/t/<token>/openrlhf` and `/t/<token>/run_code`: the bearer token in the URL, for trainers
whose HTTP client sends no Authorization header (OpenRLHF's remote reward, veRL's SandboxFusion
client), so the one URL they are configured with carries it.

The token is moved into an `Authorization: Bearer` header before authentication, which
then checks it like any other. The path is rewritten in place, so everything after this
middleware (and the access log, which reads the same scope) sees only `/openrlhf` or
`/run_code`; a token path to any other route is left alone (404 or 401) and redacted
in the log by `redact_token_path`. Tokens in URLs can still end up in proxy logs and
shell history: use a dedicated token for these URLs (see the security model).
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Receive, Scope, Send

TOKEN_PATH_ROUTES = frozenset({"/openrlhf", "/run_code"})
_TOKEN_PATH = re.compile(r"/t/([^/]+)(/.*)?")
# Anywhere in the path, not only at its start: `//t/<token>/score` or `/x/t/<token>` must
# not put a token in the log either.
_TOKEN_SEGMENT = re.compile(r"(^|/)t/[^/]+")


def redact_token_path(path: str) -> str:
    """The path as it may be logged: every token segment replaced."""
    return _TOKEN_SEGMENT.sub(r"\1t/<redacted>", path)


class TokenPathMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            match = _TOKEN_PATH.fullmatch(scope["path"])
            if match is not None and match.group(2) in TOKEN_PATH_ROUTES:
                token, route = match.group(1), match.group(2)
                headers = [(name, value) for name, value in scope.get("headers", []) if name != b"authorization"]
                headers.append((b"authorization", b"Bearer " + token.encode("latin-1", "replace")))
                scope["headers"] = headers
                scope["path"] = route
                scope["raw_path"] = route.encode()
        await self.app(scope, receive, send)
