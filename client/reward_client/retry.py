"""Which failures are retried, and how long to wait before the next try.

Scoring is pure, so a repeated request can never change a reward; what a careless retry
does is score the same batch twice at once: retrying a read timeout piles a second copy
of a slow batch onto a server that is already behind. So by default only failures where
the server certainly did not score the request are retried:

- the request never reached the server: connection refused or reset while connecting,
  connect or pool timeout, a failed write (the server never got a complete body);
- the server said so: 429 (queue full) and 503 (not ready), waiting for its Retry-After.

`retry_unanswered=True` also retries a request that was sent but got no answer at all
(connection dropped, `ReadError`, `RemoteProtocolError`), e.g. a server killed mid-request.
That may score a batch twice, harmless for the rewards. A read timeout is never retried.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import httpx

NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteError, httpx.WriteTimeout)
SENT_UNANSWERED = (httpx.ReadError, httpx.RemoteProtocolError)
RETRY_STATUSES = frozenset({429, 503})


def retry_after_s(response: httpx.Response) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date), None when absent or unreadable."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 8
    """Tries in all, the first included (1: never retry)."""
    backoff_s: float = 0.2
    """First wait; doubles per try, with full jitter."""
    max_backoff_s: float = 10.0
    """Cap on one wait, Retry-After included."""
    retry_unanswered: bool = False
    """Also retry requests that were sent and got no answer (may score a batch twice)."""

    def backoff(self, attempt: int) -> float:
        return random.uniform(0.0, min(self.max_backoff_s, self.backoff_s * 2**attempt))

    def after_error(self, error: httpx.TransportError, attempt: int) -> float | None:
        """Seconds to wait before retrying after `error` on try number `attempt` (0-based); None: give up."""
        if attempt + 1 >= self.attempts:
            return None
        if isinstance(error, NOT_SENT) or (self.retry_unanswered and isinstance(error, SENT_UNANSWERED)):
            return self.backoff(attempt)
        return None

    def after_response(self, response: httpx.Response, attempt: int) -> float | None:
        """Seconds to wait before retrying after `response`; None: use this response."""
        if response.status_code not in RETRY_STATUSES or attempt + 1 >= self.attempts:
            return None
        hinted = retry_after_s(response)
        return min(self.max_backoff_s, hinted) if hinted is not None else self.backoff(attempt)
