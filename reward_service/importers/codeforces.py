"""open-r1/codeforces: official tests, limits, and the problem's generated checker.

Schema (the dataset card): `id` (`"1000/A"`); `time_limit` in seconds and `memory_limit`
in MB, both floats; `official_tests`, a list of `{"input", "output"}`;
`official_tests_complete`; `input_mode` (`stdio`, or `file` for the old problems that
read input.txt and write output.txt); `interaction_format` (text, set for interactive
problems); `generated_checker` (a Python checker, for the problems with several right
answers); `executable` (false where the dataset found the problem cannot be judged).

The generated checker is called as open-r1's scorer calls it: `checker.py INPUT
CORRECT_OUTPUT SUBMISSION_OUTPUT`, printing `1` for a right answer (cf_scoring.py
accepts a test only when the checker's stdout is `1`). It is kept as the dataset wrote
it, in the judge's support files, and a small adapter of ours is the checker: it runs
the dataset's checker with testlib's three files reordered and judges as cf_scoring.py
does: the test passes when the checker ends cleanly having printed `1`, and fails
otherwise. That includes the checker's crash, which is what garbage output makes of
most of these checkers: a null there would let a program turn its 0 into no score.

Interactive problems are skipped: the dataset ships no interactor for them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from reward_service.exceptions import RowError
from reward_service.importers.converted import Converted, IdField

CHECKER_FILE = "cf_checker.py"

# The adapter between our checker convention (`checker input output answer`, exit 0 or 1)
# and the dataset's (`checker input correct_output submission_output`, prints 1).
ADAPTER = """\
import contextlib, io, os, runpy, sys

given, output, answer = sys.argv[1:4]
checker = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cf_checker.py")
sys.argv = [checker, given, answer, output]
printed = io.StringIO()
why = None
with contextlib.redirect_stdout(printed):
    try:
        runpy.run_path(checker, run_name="__main__")
    except SystemExit as stop:
        if stop.code not in (None, 0):
            why = f"the dataset's checker exited with {stop.code!r}"
    except Exception as error:
        why = f"the dataset's checker raised {type(error).__name__}: {error}"[:300]
said = printed.getvalue().strip()
if why is None and said != "1":
    why = f"the dataset's checker said {said[-200:]!r}"
print(why or "ok", file=sys.stderr)
sys.exit(0 if why is None else 1)
"""


def _cases(row: Mapping[str, Any]) -> list[dict[str, str]]:
    tests = row.get("official_tests")
    if not isinstance(tests, list) or not tests:
        raise RowError("no `official_tests`")
    cases: list[dict[str, str]] = []
    for number, test in enumerate(tests):
        if not isinstance(test, Mapping):
            raise RowError(f"`official_tests` item {number} is not an object of `input` and `output`")
        given, expected = test.get("input"), test.get("output")
        if not isinstance(given, str) or not isinstance(expected, str):
            raise RowError(f"`official_tests` item {number} has no input or output text")
        cases.append({"input": given, "output": expected})
    return cases


def _limits(row: Mapping[str, Any]) -> dict[str, Any]:
    limits: dict[str, Any] = {}
    time_limit, memory = row.get("time_limit"), row.get("memory_limit")
    if isinstance(time_limit, int | float) and math.isfinite(time_limit) and time_limit > 0:
        limits["time_s"] = float(time_limit)
    if isinstance(memory, int | float) and math.isfinite(memory) and memory > 0:
        limits["memory_mb"] = math.ceil(memory)
    return limits


class Codeforces(IdField):
    id_field = "id"
    name = "codeforces"

    def convert(self, row: Mapping[str, Any]) -> Converted:
        source_id = self.source_id(row)
        if row.get("executable") is False:
            raise RowError("marked not executable by the dataset (`executable: false`)")
        if row.get("interaction_format"):
            raise RowError("an interactive problem, and the dataset ships no interactor for it")
        if (row.get("input_mode") or "stdio") != "stdio":
            raise RowError(f"input_mode {row.get('input_mode')!r}: reads or writes named files, not stdin/stdout")
        cases = _cases(row)
        checker = row.get("generated_checker")
        tests: dict[str, Any]
        if isinstance(checker, str) and checker.strip():
            judged = [{"input": case["input"], "answer": case["output"]} for case in cases]
            program = {"language": "python", "source": ADAPTER, "files": {CHECKER_FILE: checker}}
            tests = {"kind": "checker", "cases": judged, "checker": program}
        else:
            tests = {"kind": "stdio", "compare": "tokens", "cases": cases}
        body: dict[str, Any] = {"tests": tests}
        limits = _limits(row)
        if limits:
            body["limits"] = limits
        return Converted(source_id, body)
