"""Optional bearer-token authentication for every route but the probes, metrics and docs.

Off unless tokens are configured (`REWARD_API_TOKENS`, `REWARD_API_TOKENS_FILE`).
A middleware rather than a route dependency: a router added later is closed by
default instead of open by omission.

Open paths: the kubelet's probes (/healthz, /readyz) carry no credentials;
/metrics holds aggregate counts only (no items, ids or tokens) and is scraped by
Prometheus inside the cluster; the OpenAPI schema and docs describe the public
contract the README already publishes.
"""

from __future__ import annotations

import hmac
import json

from starlette.types import ASGIApp, Receive, Scope, Send

from reward_service.exceptions import TokenConfigError
from reward_service.settings import Settings

OPEN_PATHS = frozenset({"/healthz", "/readyz", "/metrics", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"})


def load_api_tokens(settings: Settings) -> tuple[bytes, ...]:
    """Tokens from REWARD_API_TOKENS (comma-separated) and REWARD_API_TOKENS_FILE (one per line)."""
    tokens = [t.strip() for t in settings.api_tokens.get_secret_value().split(",")]
    if settings.api_tokens_file is not None:
        try:
            text = settings.api_tokens_file.read_text(encoding="utf-8")
        except OSError as exc:
            raise TokenConfigError(
                f"REWARD_API_TOKENS_FILE={settings.api_tokens_file} cannot be read ({exc.strerror}): "
                "mount the Secret there or unset the variable"
            ) from exc
        from_file = [line.strip() for line in text.splitlines()]
        if not any(from_file):
            raise TokenConfigError(f"REWARD_API_TOKENS_FILE={settings.api_tokens_file} holds no token")
        tokens.extend(from_file)
    return tuple(dict.fromkeys(t.encode() for t in tokens if t))


def token_is_valid(presented: bytes, tokens: tuple[bytes, ...]) -> bool:
    """Constant time in the presented value and over every configured token (no early exit)."""
    matched = False
    for token in tokens:
        matched |= hmac.compare_digest(presented, token)
    return matched


def bearer_token(scope: Scope) -> bytes | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, credentials = value.partition(b" ")
            if scheme.lower() == b"bearer" and credentials.strip():
                return credentials.strip()
            return None
    return None


class BearerTokenMiddleware:
    def __init__(self, app: ASGIApp, tokens: tuple[bytes, ...]) -> None:
        if not tokens:
            raise TokenConfigError("BearerTokenMiddleware needs at least one token")
        self.app = app
        self.tokens = tokens

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        presented = bearer_token(scope)
        if presented is None:
            await _unauthorized(send, "missing bearer token: send `Authorization: Bearer <token>`", None)
            return
        if not token_is_valid(presented, self.tokens):
            await _unauthorized(send, "invalid bearer token", "invalid_token")
            return
        await self.app(scope, receive, send)


async def _unauthorized(send: Send, detail: str, error: str | None) -> None:
    body = json.dumps({"detail": detail}).encode()
    challenge = b'Bearer realm="reward-service"' + (f', error="{error}"'.encode() if error else b"")
    await send(
        {
            "type": "http.response.start",
            "status": 401,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"www-authenticate", challenge),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
