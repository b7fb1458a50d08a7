"""call tests: the tests call one function with each case's arguments; the return
value comes back as plain data and is compared here, outside the sandbox."""

from __future__ import annotations

import json
from collections.abc import Container, Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from reward_service.verifiers.code.compare import values_equal
from reward_service.verifiers.code.kinds.base import RunContext, canonical_json, consecutive, failure
from reward_service.verifiers.code.kinds.runner import judge_failed_outcome, read_outcome, runner_run


@dataclass(frozen=True, eq=False)
class CallCase:
    args: list[Any]
    expected: Any


@dataclass(frozen=True, eq=False)
class CallTests:
    kind: ClassVar[str] = "call"

    fn_name: str
    cases: tuple[CallCase, ...]
    # APPS/TACO store each expected return value wrapped in a one-element list ([3] for 3);
    # their testing code accepts the value or the list. Only one-element lists unwrap: APPS
    # takes the first element of any list, which would pass 1 for [1, 2].
    wrapped: bool = False

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CallTests:
        cases = tuple(CallCase(list(case.get("args", [])), case.get("expected")) for case in data["cases"])
        return cls(data["fn_name"], cases, bool(data.get("wrapped", False)))

    def case_count(self) -> int:
        return len(self.cases)

    def size_chars(self) -> int:
        return sum(len(json.dumps([case.args, case.expected], default=str)) for case in self.cases)

    def canonical(self) -> str:
        cases = [{"args": case.args, "expected": case.expected} for case in self.cases]
        data: dict[str, Any] = {"kind": self.kind, "fn_name": self.fn_name, "cases": cases}
        if self.wrapped:
            data["wrapped"] = True
        return canonical_json(data)

    def judge_error(self, available: Container[str] | None = None) -> str | None:
        return None

    def request_fields(self, context: RunContext) -> dict[str, Any]:
        return {}

    def shard(self, parts: int) -> list[CallTests]:
        return [replace(self, cases=cases) for cases in consecutive(self.cases, parts)]

    def runs(self, context: RunContext) -> list[dict[str, Any]]:
        return [
            runner_run(context, self.kind, mode="call", fn_name=self.fn_name, args=case.args) for case in self.cases
        ]

    def judge(self, index: int, run: dict[str, Any], context: RunContext) -> dict[str, Any]:
        outcome = read_outcome(run, context.nonce)
        failed = judge_failed_outcome(run, outcome, context)
        if failed is not None:
            return failed
        assert outcome is not None
        if outcome.get("outcome") != "returned":
            # "passed" is an assert runner's word: a call test is judged by its value only.
            return failure("runtime_error", run, "the test process reported no return value")
        expected = self.cases[index].expected
        if values_equal(outcome.get("value"), expected) or (
            self.wrapped
            and isinstance(expected, list)
            and len(expected) == 1
            and values_equal(outcome.get("value"), expected[0])
        ):
            return {"status": "accepted"}
        return {"status": "wrong_answer", "message": f"expected {_short(expected)}, got {_short(outcome.get('value'))}"}


def _short(value: Any) -> str:
    return json.dumps(value, default=repr)[:80]
