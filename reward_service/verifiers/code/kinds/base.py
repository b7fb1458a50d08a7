"""What every kind of code test shares: the context its runs are built in, and failures."""

from __future__ import annotations

import json
from collections.abc import Container
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, TypeVar

from reward_sandbox import Language, Limits

DETAIL_CHARS = 500
T = TypeVar("T")


@dataclass(frozen=True)
class RunContext:
    """Everything a kind needs to write its runs: one per verification attempt."""

    language: Language
    limits: Limits
    harness_path: str
    nonce: str
    # Driver limits for a compile step, and for a judging program (a checker, an interactor).
    compile_limits: dict[str, Any] = field(default_factory=dict)
    judge_limits: dict[str, Any] = field(default_factory=dict)
    # Headers the operator offers every C++ judge that includes them (testlib.h), by name.
    judge_library: tuple[tuple[str, str], ...] = ()


class KindOfTests(Protocol):
    """One kind of test: what runs in the sandbox for it, and how each run is judged."""

    kind: ClassVar[str]

    def case_count(self) -> int:
        """How many runs the tests need (checked against REWARD_MAX_TEST_CASES)."""
        ...

    def size_chars(self) -> int:
        """The size of the tests' data (checked against REWARD_MAX_TESTS_CHARS)."""
        ...

    def canonical(self) -> str:
        """Canonical JSON of the tests, part of dedupe and cache keys."""
        ...

    def runs(self, context: RunContext) -> list[dict[str, Any]]:
        """The driver's run requests, in test order."""
        ...

    def request_fields(self, context: RunContext) -> dict[str, Any]:
        """Fields the driver request needs besides the runs (a checker to prepare); usually none."""
        ...

    def judge_error(self, available: Container[str] | None = None) -> str | None:
        """Why the tests' own judge (a checker, an interactor) can never run here, naming
        the field; None when they have none or it can run. Checked before any sandbox work;
        with ``available`` (the languages the sandbox was found to run), against it too."""
        ...

    def shard(self, parts: int) -> list[Any]:
        """These tests in up to ``parts`` runs of consecutive cases, to run on several sessions
        at once; ``[self]`` for tests that cannot be split."""
        ...

    def judge(self, index: int, run: dict[str, Any], context: RunContext) -> dict[str, Any]:
        """The verdict of run ``index`` once no limit was hit: `accepted` or why not."""
        ...


def consecutive(cases: tuple[T, ...], parts: int) -> list[tuple[T, ...]]:
    """``cases`` in up to ``parts`` consecutive slices of (nearly) equal size, none empty."""
    parts = max(1, min(parts, len(cases)))
    size, extra = divmod(len(cases), parts)
    slices, start = [], 0
    for index in range(parts):
        stop = start + size + (index < extra)
        slices.append(cases[start:stop])
        start = stop
    return slices


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def failure(status: str, run: dict[str, Any], message: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"status": status, "exit_code": run.get("exit_code"), "signal": run.get("signal")}
    stderr = run.get("stderr", "").strip()
    if message:
        result["message"] = message
    if stderr:
        result["stderr"] = stderr[-DETAIL_CHARS:]
    return result


def ended_cleanly(run: dict[str, Any]) -> bool:
    return run.get("exit_code") == 0 and run.get("signal") is None
