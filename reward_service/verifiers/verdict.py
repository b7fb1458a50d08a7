"""The outcome of verifying one item, the statuses it may have, and its JSON form.

A verdict travels between processes (an RQ worker's reply, the Redis result
cache) as the JSON object of `verdict_to_json`; both ends use the functions here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast, get_args

MathStatus = Literal["correct", "wrong", "no_answer", "timeout", "error"]
CodeStatus = Literal[
    "accepted",
    "wrong_answer",
    "time_limit",
    "memory_limit",
    "output_limit",
    "runtime_error",
    "compile_error",
    "no_code",
    "sandbox_error",
]
Status = Literal[MathStatus, CodeStatus]
STATUSES: frozenset[str] = frozenset(get_args(MathStatus) + get_args(CodeStatus))


@dataclass(frozen=True)
class Verdict:
    """`reward` is None when the service could not decide (a timeout or its own error)."""

    status: Status
    reward: float | None
    details: dict[str, Any] = field(default_factory=dict)


def verdict_to_json(verdict: Verdict) -> dict[str, Any]:
    return {"status": verdict.status, "reward": verdict.reward, "details": verdict.details}


def verdict_from_json(data: Mapping[str, Any]) -> Verdict:
    status = str(data["status"])
    if status not in STATUSES:
        raise ValueError(f"unknown verdict status {status!r}")
    return Verdict(cast(Status, status), data["reward"], dict(data.get("details") or {}))
