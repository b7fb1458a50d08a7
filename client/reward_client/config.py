"""One immutable description of how to talk to the service, shared by both clients."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import httpx

from reward_client.retry import RetryPolicy

URL_ENV = "REWARD_SERVICE_URL"
TOKEN_ENV = "REWARD_SERVICE_TOKEN"
DEFAULT_URL = "http://127.0.0.1:8000"


def default_url() -> str:
    return os.environ.get(URL_ENV, DEFAULT_URL)


@dataclass(frozen=True)
class ClientConfig:
    url: str = field(default_factory=default_url)
    timeout_s: float = 300.0
    """Read budget of one request: a large batch of code items can take minutes."""
    connect_timeout_s: float = 5.0
    max_batch_items: int = 1024
    """Larger `score()` calls are split into requests of this many items, sent concurrently."""
    max_concurrency: int = 8
    """Requests in flight at once, per process (sync) or per event loop (async)."""
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    batch_window_s: float = 0.005
    """Micro-batching: how long a single-item call waits for company."""
    batch_max_items: int = 512
    """Micro-batching: a batch this large is sent at once."""
    headers: tuple[tuple[str, str], ...] = ()
    api_token: str | None = field(default_factory=lambda: os.environ.get(TOKEN_ENV), repr=False)
    """Sent as `Authorization: Bearer ...` when the service requires tokens (REWARD_API_TOKENS)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "url", self.url.rstrip("/"))
        for name in ("max_batch_items", "max_concurrency", "batch_max_items"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")

    def http_options(self) -> dict[str, Any]:
        """Keyword arguments for httpx.Client / httpx.AsyncClient."""
        return {
            "base_url": self.url,
            "timeout": httpx.Timeout(self.timeout_s, connect=self.connect_timeout_s),
            # Idle connections are dropped before uvicorn's 5 s keep-alive closes them from its side,
            # so a request never races the server's close on a stale connection.
            "limits": httpx.Limits(
                max_connections=self.max_concurrency,
                max_keepalive_connections=self.max_concurrency,
                keepalive_expiry=4.0,
            ),
            "headers": {
                **dict(self.headers),
                **({"authorization": f"Bearer {self.api_token}"} if self.api_token else {}),
            },
        }
