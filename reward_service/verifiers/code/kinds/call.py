"""call tests: the tests call one function with each case's arguments; the return
value comes back as plain data and is compared here, outside the sandbox."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import Field

from reward_service.verifiers.code.compare import values_equal
from reward_service.verifiers.code.kinds.base import (
    FunctionName,
    KindData,
    KindModel,
    RunContext,
    canonical_json,
    consecutive,
    failure,
)
from reward_service.verifiers.code.kinds.runner import judge_failed_outcome, read_outcome, runner_run


class CallCase(KindData):
    args: list[Any] = Field(default_factory=list)
    expected: Any = None


class CallTests(KindModel):
    kind: Literal["call"] = "call"
    fn_name: FunctionName
    cases: list[CallCase] = Field(..., min_length=1)
    # APPS/TACO store each expected return value wrapped in a one-element list ([3] for 3);
    # their testing code accepts the value or the list. Only one-element lists unwrap: APPS
    # takes the first element of any list, which would pass 1 for [1, 2].
    wrapped: bool = Field(
        False,
        description="Each case's `expected` is the return value wrapped in a one-element list, as APPS and TACO "
        "store it: the return value matches the list or its one element (the datasets' own testing rule).",
    )

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

    def shard(self, parts: int) -> list[CallTests]:
        return [self.model_copy(update={"cases": cases}) for cases in consecutive(self.cases, parts)]

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
