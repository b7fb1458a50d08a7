"""checker tests (special judges): the program reads each case's input; a checker program
decides whether what it printed is a right answer (judged.py: the judge, its exit codes, points).

The checker is run as `checker input.txt output.txt answer.txt` (the case's input, the
program's output, the reference answer), after each run, once every process of the
program is gone, in a directory the program never sees; the reference answers stay in
the driver's memory until then. A checker's output past its cap is dropped; its exit
code decides.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from reward_service.verifiers.code.kinds.base import RunContext, ended_cleanly, failure
from reward_service.verifiers.code.kinds.judged import JudgedTests, JudgeProgram, judge_by_exit_code


class CheckerTests(JudgedTests):
    judge_field: ClassVar[str] = "checker"

    kind: Literal["checker"] = "checker"
    checker: JudgeProgram

    def request_fields(self, context: RunContext) -> dict[str, Any]:
        fields = super().request_fields(context)
        fields["checker"]["argv"] = [*fields["checker"]["argv"], "input.txt", "output.txt", "answer.txt"]
        return fields

    def runs(self, context: RunContext) -> list[dict[str, Any]]:
        argv = context.language.run_argv(context.limits.memory_mb)
        return [{"argv": argv, "stdin": case.input, "check": {"answer": case.answer}} for case in self.cases]

    def judge(self, index: int, run: dict[str, Any], context: RunContext) -> dict[str, Any]:
        if not ended_cleanly(run):
            return failure("runtime_error", run)
        check = run.get("check")
        if check is None:
            return {"status": "sandbox_error", "message": "the checker did not run"}
        return judge_by_exit_code(check, "checker")
