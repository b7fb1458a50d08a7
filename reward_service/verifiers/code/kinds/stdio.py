"""stdio tests: the program reads each case's input and must print its output."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from reward_service.verifiers.code.compare import output_matches
from reward_service.verifiers.code.kinds.base import (
    KindData,
    KindModel,
    RunContext,
    canonical_json,
    consecutive,
    ended_cleanly,
    failure,
)

# A tolerance wider than this accepts outputs that are simply different numbers.
MAX_FLOAT_TOLERANCE = 0.1


class StdioCase(KindData):
    input: str = ""
    output: str


class StdioTests(KindModel):
    kind: Literal["stdio"] = "stdio"
    cases: list[StdioCase] = Field(..., min_length=1)
    compare: Literal["lines", "tokens", "tokens_ignore_case"] = Field(
        "lines",
        description="`lines`: line by line, trailing whitespace ignored; `tokens`: whitespace-separated "
        "tokens in order, however spread over lines; `tokens_ignore_case`: tokens, letters without case.",
    )
    float_tolerance: float | None = Field(
        None,
        ge=0,
        le=MAX_FLOAT_TOLERANCE,
        description=f"Numbers may differ by this much (absolute or relative), at most {MAX_FLOAT_TOLERANCE}; "
        "integer tokens always match exactly.",
    )

    def case_count(self) -> int:
        return len(self.cases)

    def size_chars(self) -> int:
        return sum(len(case.input) + len(case.output) for case in self.cases)

    def canonical(self) -> str:
        cases = [{"input": case.input, "output": case.output} for case in self.cases]
        fields: dict[str, Any] = {"kind": self.kind, "cases": cases, "float_tolerance": self.float_tolerance}
        if self.compare != "lines":  # the key of a lines test is what it was before modes existed
            fields["compare"] = self.compare
        return canonical_json(fields)

    def shard(self, parts: int) -> list[StdioTests]:
        return [self.model_copy(update={"cases": cases}) for cases in consecutive(self.cases, parts)]

    def runs(self, context: RunContext) -> list[dict[str, Any]]:
        argv = context.language.run_argv(context.limits.memory_mb)
        return [{"argv": argv, "stdin": case.input} for case in self.cases]

    def judge(self, index: int, run: dict[str, Any], context: RunContext) -> dict[str, Any]:
        if not ended_cleanly(run):
            return failure("runtime_error", run)
        same, where = output_matches(run["stdout"], self.cases[index].output, self.compare, self.float_tolerance)
        return {"status": "accepted"} if same else {"status": "wrong_answer", "message": where}
