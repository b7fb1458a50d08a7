"""What a deployment's code sandbox runs, wherever the sandboxes live.

The embedded dispatcher describes its own pool. In scale-out mode the sandboxes
live in the code workers, so each one publishes its report in Redis next to its
RQ registration (refreshed with its heartbeat, gone with it), and the API
combines the reports of the code workers that are registered now.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from redis import Redis
from redis.client import Pipeline
from rq import Queue, Worker

from reward_sandbox import SandboxPool

_KEY_PREFIX = "reward:sandbox-report:"
NO_CODE_WORKER = "no code worker is running: start `reward-service worker --queue code` next to Redis"


@dataclass(frozen=True)
class SandboxReport:
    backend: str | None
    # Why code cannot run, or a warning about how it runs (no isolation).
    reason: str | None
    # Runnable languages and their versions.
    languages: Mapping[str, str] = field(default_factory=dict)
    # Which isolation tool or image the backend uses.
    detail: str | None = None

    @classmethod
    def of_pool(cls, pool: SandboxPool | None, probed: Mapping[str, str | None]) -> SandboxReport:
        if pool is None:
            return cls(None, "code verification is not enabled in this deployment")
        return cls(
            pool.backend.name,
            pool.unavailable or pool.warning,
            {name: version for name, version in probed.items() if version},
            pool.backend.detail,
        )

    def to_json(self) -> str:
        return json.dumps(
            {"backend": self.backend, "reason": self.reason, "languages": dict(self.languages), "detail": self.detail}
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> SandboxReport:
        data: dict[str, Any] = json.loads(text)
        return cls(data.get("backend"), data.get("reason"), dict(data.get("languages") or {}), data.get("detail"))


def combine(reports: Iterable[SandboxReport]) -> SandboxReport:
    """One report for several workers: a chunk may land on any of them, so a language
    counts only when every worker runs it."""
    reports = list(reports)
    if not reports:
        return SandboxReport(None, NO_CODE_WORKER)
    shared = set(reports[0].languages).intersection(*(r.languages for r in reports[1:]))
    backends = sorted({r.backend or "none" for r in reports})
    reasons = sorted({r.reason for r in reports if r.reason})
    details = sorted({r.detail for r in reports if r.detail})
    return SandboxReport(
        backends[0] if len(backends) == 1 else ", ".join(backends),
        "; ".join(reasons) or None,
        {name: version for name, version in reports[0].languages.items() if name in shared},
        "; ".join(details) or None,
    )


def _key(worker_name: str) -> str:
    return f"{_KEY_PREFIX}{worker_name}"


def publish(target: Redis | Pipeline, worker_name: str, report: SandboxReport, ttl_s: int) -> None:
    target.set(_key(worker_name), report.to_json(), ex=ttl_s)


def withdraw(connection: Redis, worker_name: str) -> None:
    connection.delete(_key(worker_name))


def read_combined(connection: Redis, queue_name: str) -> SandboxReport:
    """The combined report of the workers registered on ``queue_name`` now."""
    names = [worker.name for worker in Worker.all(queue=Queue(queue_name, connection=connection))]
    found = connection.mget([_key(name) for name in names]) if names else []
    return combine(SandboxReport.from_json(text) for text in found if text)
