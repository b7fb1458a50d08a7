"""assert tests: test code (HumanEval/MBPP style) runs in the test process against
the program's entry point; only a clean "passed" from that process counts."""

from __future__ import annotations

from typing import Any, Literal

from reward_service.verifiers.code.kinds.base import FunctionName, KindModel, RunContext, canonical_json, failure
from reward_service.verifiers.code.kinds.runner import judge_failed_outcome, read_outcome, runner_run


class AssertTests(KindModel):
    kind: Literal["assert"] = "assert"
    code: str
    entry_point: FunctionName | None = None

    def case_count(self) -> int:
        return 1

    def size_chars(self) -> int:
        return len(self.code)

    def canonical(self) -> str:
        return canonical_json({"kind": self.kind, "code": self.code, "entry_point": self.entry_point})

    # shard: one block of test code, it runs whole (the base's [self])

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
