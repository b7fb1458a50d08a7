"""checker tests (special judges): the program reads each case's input; a checker program
decides whether what it printed is a right answer.

The checker follows testlib's convention: `checker input.txt output.txt answer.txt`
(the case's input, the program's output, the reference answer), exit code 0
accepted, 1 wrong answer, 2 presentation error, 3 the checker's own failure, 7
partial points. Points come from one channel, testlib's: `quitp` ends the checker's
stderr with the line `points <value> <message>`, the value being the share of the
test's points in [0, 1]; the last such line counts, and no other number the checker
prints (a line number, the contestant's token) is ever read as points. The driver
compiles the checker once per session (its support files, such as a problem's
testlib.h, beside it) and runs it
after each run, once every process of the program is gone, in a directory the
program never sees; the reference answers stay in the driver's memory until then.
A checker that crashes, hangs or reports its own failure makes the item `sandbox_error`
(score null), never a 0 or a 1, once: a judge's failure is deterministic, so the item is
not tried again. A checker's output past its cap is dropped; its exit code decides.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Container, Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from reward_sandbox import resolve_language
from reward_service.exceptions import Unsupported
from reward_service.verifiers.code.kinds.base import (
    DETAIL_CHARS,
    RunContext,
    canonical_json,
    consecutive,
    ended_cleanly,
    failure,
)

CHECKER_STEM = "checker"
# testlib's quitp: "points 0.25 the message" on stderr (its own float format, or an integer).
_POINTS_LINE = re.compile(r"points\s+([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)(?:\s|$)")
_EXIT_POINTS = 7
# Headers a C++ judge may include from the operator's library instead of its own files.
_LIBRARY_HEADERS = ("testlib.h",)
_INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.MULTILINE)


@dataclass(frozen=True)
class CheckerCase:
    input: str
    answer: str


@dataclass(frozen=True)
class JudgeProgram:
    """A checker's (or an interactor's) source, its language and its support files."""

    language: str
    source: str
    files: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> JudgeProgram:
        files = tuple(sorted((str(name), str(text)) for name, text in (data.get("files") or {}).items()))
        return cls(str(data.get("language") or "cpp"), data["source"], files)

    def as_dict(self) -> dict[str, Any]:
        return {"language": self.language, "source": self.source, "files": dict(self.files)}

    def size_chars(self) -> int:
        return len(self.source) + sum(len(text) for _, text in self.files)

    def language_error(self, field: str, available: Container[str] | None = None) -> str | None:
        language = resolve_language(self.language)
        if language is None:
            return f"{field}.language: {self.language!r} is not a language this service runs; see GET /languages"
        if available is not None and language.name not in available:
            return (
                f"{field}.language: {language.name} is not available in this deployment's sandbox "
                f"({language.install}); see GET /languages"
            )
        return None

    def driver_block(self, stem: str, context: RunContext) -> dict[str, Any]:
        """What the driver needs to prepare this program: files, compile step, argv, limits, cache key."""
        language = resolve_language(self.language)
        if language is None:
            raise Unsupported(f"the {stem}'s language {self.language!r} is not supported here; see GET /languages")
        recipe = language.for_source(self.source, stem)
        files = dict(self.files)
        if language.name == "cpp":
            files.update(self._library_headers(stem, files, context.judge_library))
        # The judge's own language adapts its limits, whatever the program's language is.
        compile_limits = language.step_limits(context.compile_limits, runtime_memory=False)
        block: dict[str, Any] = {
            "files": {**files, recipe.source_file: self.source},
            "compile": {"argv": list(recipe.compile), "limits": compile_limits} if recipe.compile else None,
            "argv": recipe.run_argv(int(context.judge_limits.get("memory_mb") or 256)),
            "limits": language.step_limits(context.judge_limits, runtime_memory=True),
            "language": self.language,
        }
        # The driver keeps a compiled judge under this key: same sources, same recipe, same binary.
        block["key"] = hashlib.sha256(canonical_json([block["files"], block["compile"]]).encode()).hexdigest()
        return block

    def _library_headers(
        self, stem: str, files: Mapping[str, str], library: tuple[tuple[str, str], ...]
    ) -> dict[str, str]:
        """The library headers this judge includes and does not ship itself: a problem's own
        testlib.h wins, since its checker was written against that version."""
        offered = dict(library)
        included = {name for text in (self.source, *files.values()) for name in _INCLUDE.findall(text)}
        added: dict[str, str] = {}
        for name in sorted(included.intersection(_LIBRARY_HEADERS).difference(files)):
            if name not in offered:
                raise Unsupported(
                    f"the {stem} includes {name}, which neither the problem's files nor this deployment "
                    "provide: set REWARD_TESTLIB_HEADER to its path (see docs/code.md)"
                )
            added[name] = offered[name]
        return added


@dataclass(frozen=True)
class CheckerTests:
    kind: ClassVar[str] = "checker"

    cases: tuple[CheckerCase, ...]
    checker: JudgeProgram

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CheckerTests:
        cases = tuple(CheckerCase(case.get("input", ""), case.get("answer", "")) for case in data["cases"])
        return cls(cases, JudgeProgram.from_dict(data["checker"]))

    def case_count(self) -> int:
        return len(self.cases)

    def size_chars(self) -> int:
        return sum(len(case.input) + len(case.answer) for case in self.cases) + self.checker.size_chars()

    def canonical(self) -> str:
        cases = [{"input": case.input, "answer": case.answer} for case in self.cases]
        return canonical_json({"kind": self.kind, "cases": cases, "checker": self.checker.as_dict()})

    def judge_error(self, available: Container[str] | None = None) -> str | None:
        return self.checker.language_error("tests.checker", available)

    def request_fields(self, context: RunContext) -> dict[str, Any]:
        block = self.checker.driver_block(CHECKER_STEM, context)
        block["argv"] = [*block["argv"], "input.txt", "output.txt", "answer.txt"]
        return {"checker": block}

    def shard(self, parts: int) -> list[CheckerTests]:
        return [replace(self, cases=cases) for cases in consecutive(self.cases, parts)]

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


def judge_message(run: Mapping[str, Any]) -> str:
    """What a judging program said (testlib writes its verdict on stderr, many scripts on stdout)."""
    text = f"{run.get('stdout', '')}\n{run.get('stderr', '')}".strip()
    return text[:DETAIL_CHARS]


def testlib_points(run: Mapping[str, Any]) -> float | None:
    """The points a judge gave with testlib's quitp: the value of the last stderr line
    that starts with `points`; None when there is no such line."""
    found = None
    for line in str(run.get("stderr", "")).splitlines():
        match = _POINTS_LINE.match(line.strip())
        if match is not None:
            found = float(match.group(1))
    return found


def judge_by_exit_code(run: Mapping[str, Any], who: str) -> dict[str, Any]:
    """A test's verdict from a checker's or an interactor's exit code (testlib's convention).
    A judge's own failure is marked `judge_failed`: the item is not tried again for it."""
    message = judge_message(run)
    if run.get("error") or run.get("limit") or run.get("signal") is not None:
        why = run.get("error") or (
            f"hit its {run['limit']} limit" if run.get("limit") else f"died by signal {run.get('signal')}"
        )
        return {
            "status": "sandbox_error",
            "message": f"the {who} failed: {why}",
            "judge_message": message,
            "judge_failed": True,
        }
    code = run.get("exit_code")
    if code == 0:
        return {"status": "accepted", "judge_message": message} if message else {"status": "accepted"}
    if code == 1:
        return {"status": "wrong_answer", "judge_message": message}
    if code == 2:
        return {"status": "wrong_answer", "presentation_error": True, "judge_message": message}
    if code == _EXIT_POINTS:
        points = testlib_points(run)
        if points is not None and 0.0 <= points <= 1.0:
            status = "accepted" if points == 1.0 else "wrong_answer"
            return {"status": status, "points": points, "judge_message": message}
        why = "outside [0, 1]" if points is not None else "without a `points <value>` line on stderr (testlib's quitp)"
        return {
            "status": "sandbox_error",
            "message": f"the {who} gave points {why}: {message[:100]!r}",
            "judge_failed": True,
        }
    return {
        "status": "sandbox_error",
        "message": f"the {who} reported a failure (exit code {code})",
        "judge_message": message,
        "judge_failed": True,
    }
