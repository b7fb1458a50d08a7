"""assert tests: test code (HumanEval/MBPP style) runs in the test process against
the program's entry point; only a clean "passed" from that process counts."""

from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from reward_service.verifiers.code.kinds.base import RunContext, canonical_json, failure
from reward_service.verifiers.code.kinds.runner import judge_failed_outcome, read_outcome, runner_run


@dataclass(frozen=True)
class AssertTests:
    kind: ClassVar[str] = "assert"

    code: str
    entry_point: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AssertTests:
        return cls(data["code"], data.get("entry_point"))

    def case_count(self) -> int:
        return 1

    def size_chars(self) -> int:
        return len(self.code)

    def canonical(self) -> str:
        return canonical_json({"kind": self.kind, "code": self.code, "entry_point": self.entry_point})

    def judge_error(self, available: Container[str] | None = None) -> str | None:
        return None

    def request_fields(self, context: RunContext) -> dict[str, Any]:
        return {}

    def shard(self, parts: int) -> list[AssertTests]:
        return [self]  # one block of test code: it runs whole

    def runs(self, context: RunContext) -> list[dict[str, Any]]:
        # The test code travels in the runner's request: it is never a file in the sandbox.
        return [runner_run(context, self.kind, mode="assert", test_code=self.code, entry_point=self.entry_point)]

    def judge(self, index: int, run: dict[str, Any], context: RunContext) -> dict[str, Any]:
        outcome = read_outcome(run, context.nonce)
        failed = judge_failed_outcome(run, outcome, context)
        if failed is not None:
            return failed
        assert outcome is not None
        if outcome.get("outcome") != "passed":
            return failure("runtime_error", run, "the test process reported no result for the asserts")
        return {"status": "accepted"}
