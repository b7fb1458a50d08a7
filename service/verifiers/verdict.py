"""The outcome of verifying one item, as it travels between worker and pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Verdict:
    """`reward` is None when the service could not decide (a timeout or its own error)."""

    status: str
    reward: float | None
    details: dict[str, Any] = field(default_factory=dict)
