"""stdio tests: the program reads each case's input and must print its output."""

from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from reward_service.verifiers.code.compare import output_matches
from reward_service.verifiers.code.kinds.base import RunContext, canonical_json, consecutive, ended_cleanly, failure


@dataclass(frozen=True)
class StdioCase:
    input: str
    output: str


@dataclass(frozen=True)
class StdioTests:
    kind: ClassVar[str] = "stdio"

    cases: tuple[StdioCase, ...]
    float_tolerance: float | None = None
    compare: str = "lines"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StdioTests:
        cases = tuple(StdioCase(case.get("input", ""), case["output"]) for case in data["cases"])
        return cls(cases, data.get("float_tolerance"), data.get("compare") or "lines")

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

    def judge_error(self, available: Container[str] | None = None) -> str | None:
        return None

    def request_fields(self, context: RunContext) -> dict[str, Any]:
        return {}

    def shard(self, parts: int) -> list[StdioTests]:
        return [replace(self, cases=cases) for cases in consecutive(self.cases, parts)]

    def runs(self, context: RunContext) -> list[dict[str, Any]]:
        argv = context.language.run_argv(context.limits.memory_mb)
        return [{"argv": argv, "stdin": case.input} for case in self.cases]

    def judge(self, index: int, run: dict[str, Any], context: RunContext) -> dict[str, Any]:
        if not ended_cleanly(run):
            return failure("runtime_error", run)
        same, where = output_matches(run["stdout"], self.cases[index].output, self.compare, self.float_tolerance)
        return {"status": "accepted"} if same else {"status": "wrong_answer", "message": where}
