"""What the client raises. Per-item failures are not exceptions: they come back as results."""

from __future__ import annotations

from typing import Any


class RewardServiceError(Exception):
    """Base class: the service could not be asked, or answered something unusable."""


class RequestRejected(RewardServiceError):
    """The service refused the request itself (4xx other than 429): fix the request, do not retry it."""

    def __init__(self, status_code: int, detail: Any) -> None:
        super().__init__(f"reward-service rejected the request with {status_code}: {detail}")
        self.status_code = status_code
        self.detail = detail


class ServiceFailed(RewardServiceError):
    """The service answered with an error status that is not safe to retry (e.g. 500)."""

    def __init__(self, status_code: int, detail: Any) -> None:
        super().__init__(f"reward-service failed with {status_code}: {detail}")
        self.status_code = status_code
        self.detail = detail


class ServiceUnavailable(RewardServiceError):
    """No answer: the service could not be reached, or the retries ran out."""


class ProtocolMismatch(RewardServiceError):
    """The answer does not follow the API contract (e.g. a result count that differs from the item count)."""
