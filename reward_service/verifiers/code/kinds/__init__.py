"""One type per kind of code test: what runs in the sandbox for it, and how each run
is judged. A new kind is one module here with a class that follows
``KindOfTests`` (base.py), named in ``KINDS``; the wire schema in reward_service/schemas/scoring.py
gets its request model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reward_service.verifiers.code.kinds.assertion import AssertTests
from reward_service.verifiers.code.kinds.base import KindOfTests, RunContext
from reward_service.verifiers.code.kinds.call import CallTests
from reward_service.verifiers.code.kinds.checker import CheckerTests
from reward_service.verifiers.code.kinds.interactive import InteractiveTests
from reward_service.verifiers.code.kinds.stdio import StdioTests

CodeTests = StdioTests | CallTests | AssertTests | CheckerTests | InteractiveTests

KINDS: dict[str, type[CodeTests]] = {
    kind.kind: kind for kind in (StdioTests, CallTests, AssertTests, CheckerTests, InteractiveTests)
}


def typed_tests(data: Mapping[str, Any]) -> CodeTests:
    """The typed tests of a request's ``tests`` object (already validated by the API)."""
    return KINDS[data["kind"]].from_dict(data)


__all__ = [
    "KINDS",
    "AssertTests",
    "CallTests",
    "CheckerTests",
    "InteractiveTests",
    "CodeTests",
    "KindOfTests",
    "RunContext",
    "StdioTests",
    "typed_tests",
]
