"""A stored problem: its tests (any kind), default language and limits, and its content hash."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from reward_service.verifiers.code.kinds import AnyTests, parse_tests


def content_hash(body_json: str) -> str:
    return "sha256:" + hashlib.sha256(body_json.encode()).hexdigest()


@dataclass(frozen=True)
class StoredProblem:
    id: str
    hash: str
    body_json: str

    def body(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.body_json)
        return data


@dataclass(frozen=True)
class ResolvedProblem:
    """A stored problem ready for planning: typed tests, and what items may leave out."""

    id: str
    hash: str
    tests: AnyTests
    language: str | None
    limits: dict[str, Any] | None

    @classmethod
    def of(cls, stored: StoredProblem) -> ResolvedProblem:
        body = stored.body()
        return cls(stored.id, stored.hash, parse_tests(body["tests"]), body.get("language"), body.get("limits"))
