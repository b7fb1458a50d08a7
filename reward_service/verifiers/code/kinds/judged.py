"""What the kinds judged by a program of the problem's share (checker, interactive): the
judge program itself, the cases (an input and a reference answer each), and the verdict
read from the judge's exit code.

A judge follows testlib's convention: exit code 0 accepted, 1 wrong answer, 2 presentation
error, 3 the judge's own failure, 7 partial points. Points come from one channel, testlib's:
`quitp` ends the judge's stderr with the line `points <value> <message>`, the value being the
share of the test's points in [0, 1]; the last such line counts, and no other number the judge
prints (a line number, the contestant's token) is ever read as points. The driver compiles the
judge once per session (its support files, such as a problem's testlib.h, beside it). A judge
that crashes, hangs or reports its own failure makes the item `sandbox_error` (score null),
never a 0 or a 1, once: a judge's failure is deterministic, so the item is not tried again.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Container, Mapping
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import AfterValidator, ConfigDict, Field

from reward_sandbox import resolve_language
from reward_service.exceptions import Unsupported
from reward_service.verifiers.code.kinds.base import (
    DETAIL_CHARS,
    KindData,
    KindModel,
    RunContext,
    canonical_json,
    consecutive,
)

# testlib's quitp: "points 0.25 the message" on stderr (its own float format, or an integer).
_POINTS_LINE = re.compile(r"points\s+([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)(?:\s|$)")
_EXIT_POINTS = 7
# Headers a C++ judge may include from the operator's library instead of its own files.
_LIBRARY_HEADERS = ("testlib.h",)
_INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.MULTILINE)

_SUPPORT_FILE_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")
# The checker's own files in its directory: a support file must not replace them.
_RESERVED_FILES = frozenset({"input.txt", "output.txt", "answer.txt"})


def _support_file(name: str) -> str:
    if not _SUPPORT_FILE_RE.fullmatch(name) or name in _RESERVED_FILES:
        raise ValueError(
            f"{name[:80]!r} is not a support file name (letters, digits, `_.-`, no path; not {sorted(_RESERVED_FILES)})"
        )
    return name


SupportFileName = Annotated[str, AfterValidator(_support_file)]
_Judged = TypeVar("_Judged", bound="JudgedTests")


class JudgeProgram(KindData):
    """A checker or an interactor: a program of the problem's, run sandboxed like the submission."""

    model_config = ConfigDict(extra="forbid")

    language: str = Field("cpp", description="Any language GET /languages lists; C++ and Python are the usual ones.")
    source: str = Field(..., min_length=1)
    files: dict[SupportFileName, str] = Field(
        default_factory=dict,
        description="Support files beside the source, e.g. the problem's `testlib.h` (none is shipped).",
        max_length=16,
    )

    @property
    def language_name(self) -> str:
        """The language the judge runs in: an empty `language` means the default, C++."""
        return self.language or "cpp"

    def as_dict(self) -> dict[str, Any]:
        return {"language": self.language_name, "source": self.source, "files": dict(sorted(self.files.items()))}

    def size_chars(self) -> int:
        return len(self.source) + sum(len(text) for text in self.files.values())

    def language_error(self, field: str, available: Container[str] | None = None) -> str | None:
        language = resolve_language(self.language_name)
        if language is None:
            return f"{field}.language: {self.language_name!r} is not a language this service runs; see GET /languages"
        if available is not None and language.name not in available:
            return (
                f"{field}.language: {language.name} is not available in this deployment's sandbox "
                f"({language.install}); see GET /languages"
            )
        return None

    def driver_block(self, stem: str, context: RunContext) -> dict[str, Any]:
        """What the driver needs to prepare this program: files, compile step, argv, limits, cache key."""
        language = resolve_language(self.language_name)
        if language is None:
            raise Unsupported(f"the {stem}'s language {self.language_name!r} is not supported here; see GET /languages")
        recipe = language.for_source(self.source, stem)
        files = dict(sorted(self.files.items()))
        if language.name == "cpp":
            files.update(self._library_headers(stem, files, context.judge_library))
        # The judge's own language adapts its limits, whatever the program's language is.
        compile_limits = language.step_limits(context.compile_limits, runtime_memory=False)
        block: dict[str, Any] = {
            "files": {**files, recipe.source_file: self.source},
            "compile": {"argv": list(recipe.compile), "limits": compile_limits} if recipe.compile else None,
            "argv": recipe.run_argv(int(context.judge_limits.get("memory_mb") or 256)),
            "limits": language.step_limits(context.judge_limits, runtime_memory=True),
            "language": self.language_name,
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


class JudgedCase(KindData):
    """One test of a judged kind: the program's input, and the answer the judge compares with."""

    input: str = ""
    answer: str = Field(
        "", description="The reference answer the judge (checker, interactor) compares with (testlib's `ans`)."
    )


class JudgedTests(KindModel):
    """Tests judged by a program of the problem's, held in the field ``judge_field`` names
    (`checker`, `interactor`); that name is also the judge's stem in the driver's request."""

    judge_field: ClassVar[str]

    cases: list[JudgedCase] = Field(..., min_length=1)

    @property
    def judge_program(self) -> JudgeProgram:
        program: JudgeProgram = getattr(self, self.judge_field)
        return program

    def case_count(self) -> int:
        return len(self.cases)

    def size_chars(self) -> int:
        return sum(len(case.input) + len(case.answer) for case in self.cases) + self.judge_program.size_chars()

    def canonical(self) -> str:
        cases = [{"input": case.input, "answer": case.answer} for case in self.cases]
        return canonical_json({"kind": self.kind, "cases": cases, self.judge_field: self.judge_program.as_dict()})

    def judge_error(self, available: Container[str] | None = None) -> str | None:
        return self.judge_program.language_error(f"tests.{self.judge_field}", available)

    def request_fields(self, context: RunContext) -> dict[str, Any]:
        return {self.judge_field: self.judge_program.driver_block(self.judge_field, context)}

    def shard(self: _Judged, parts: int) -> list[_Judged]:
        return [self.model_copy(update={"cases": cases}) for cases in consecutive(self.cases, parts)]


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
