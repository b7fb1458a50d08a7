"""interactive tests: the program talks with the problem's interactor, stdin and stdout
wired both ways; the interactor's exit code is the verdict (testlib's convention, as
for checkers: 0 accepted, 1 wrong answer, 2 presentation error, 3 its own failure,
7 partial points).

The interactor gets the test's input and answer as memory files on descriptors of
its own (`interactor input output answer`, the paths under /proc/self/fd). The program
runs confined by Landlock (reward_sandbox/harness/landlock.py): the interactor's
directory, its source, binary and support files, and the interactor as a process (its
descriptors and memory) are out of its reach. So an interactor may be a script
(Python) as well as a compiled program; each runs under its own limits.

Where the kernel's Landlock is older than ABI 6, a program can still send the
interactor a signal. An interactor that dies by one (and not by the driver's hand)
costs the program its test (`runtime_error`): counting it as
the interactor's failure would let a program turn its wrong answers into nulls.
A deadlock (both waiting) ends at the program's wall-time limit as `time_limit`.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from reward_service.verifiers.code.kinds.base import RunContext, ended_cleanly, failure
from reward_service.verifiers.code.kinds.judged import JudgedTests, JudgeProgram, judge_by_exit_code, judge_message


class InteractiveTests(JudgedTests):
    judge_field: ClassVar[str] = "interactor"

    kind: Literal["interactive"] = "interactive"
    interactor: JudgeProgram

    def runs(self, context: RunContext) -> list[dict[str, Any]]:
        argv = context.language.run_argv(context.limits.memory_mb)
        return [{"argv": argv, "interact": {"input": case.input, "answer": case.answer}} for case in self.cases]

    def judge(self, index: int, run: dict[str, Any], context: RunContext) -> dict[str, Any]:
        interactor = run.get("interact")
        if interactor is None:
            return {"status": "sandbox_error", "message": run.get("error") or "the interactor did not run"}
        if interactor.get("signal") is not None and not interactor.get("killed_by_driver"):
            return failure(
                "runtime_error", run, f"the interactor was killed by signal {interactor['signal']} during the run"
            )
        verdict = judge_by_exit_code(interactor, "interactor")
        if verdict["status"] == "accepted" and not ended_cleanly(run):
            return failure("runtime_error", run, judge_message(interactor) or None)
        return verdict
