"""deepmind/code_contests: public, private and generated stdin/stdout tests, limits, solutions.

Schema (the dataset card): `name`; `public_tests`, `private_tests`, `generated_tests`, each
`{"input": [str], "output": [str]}`; `time_limit` `{"seconds", "nanos"}` (or null);
`memory_limit_bytes`; `solutions` and `incorrect_solutions`, each
`{"language": [int], "solution": [str]}` with the language enum 0 unknown, 1 Python 2,
2 C++, 3 Python 3, 4 Java; `input_file`/`output_file` for the few problems that read and
write files instead of stdin/stdout.

Outputs are compared as tokens (testlib's wcmp, what most of these problems' checkers
do); a problem whose answers need a checker (several right answers, floating point)
shows up in `--validate`, where its own correct solutions fail.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from reward_service.exceptions import RowError
from reward_service.importers.converted import Converted, IdField, Solution

# The dataset's language enum, for the languages this service runs (Python 2 and Java not).
_LANGUAGES = {2: "cpp", 3: "python"}
_TEST_SPLITS = ("public_tests", "private_tests", "generated_tests")


def _cases(row: Mapping[str, Any]) -> list[dict[str, str]]:
    cases: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for split in _TEST_SPLITS:
        tests = row.get(split) or {}
        if not isinstance(tests, Mapping):
            raise RowError(f"`{split}` is not an object of `input` and `output` lists")
        inputs, outputs = list(tests.get("input") or []), list(tests.get("output") or [])
        if len(inputs) != len(outputs):
            raise RowError(f"`{split}` has {len(inputs)} inputs but {len(outputs)} outputs")
        for number, (given, expected) in enumerate(zip(inputs, outputs, strict=True)):
            if not isinstance(given, str) or not isinstance(expected, str):
                raise RowError(f"`{split}` test {number} has no input or output text")
            if (given, expected) not in seen:  # generated tests repeat; each runs once
                seen.add((given, expected))
                cases.append({"input": given, "output": expected})
    if not cases:
        raise RowError("no tests")
    return cases


def _limits(row: Mapping[str, Any]) -> dict[str, Any]:
    limits: dict[str, Any] = {}
    time_limit = row.get("time_limit")
    if isinstance(time_limit, Mapping):
        seconds = float(time_limit.get("seconds") or 0) + float(time_limit.get("nanos") or 0) / 1e9
        if seconds > 0:
            limits["time_s"] = seconds
    memory = row.get("memory_limit_bytes")
    if isinstance(memory, int) and memory > 0:
        limits["memory_mb"] = math.ceil(memory / (1 << 20))
    return limits


def _solutions(row: Mapping[str, Any], key: str, correct: bool) -> list[Solution]:
    given = row.get(key) or {}
    if not isinstance(given, Mapping):
        return []
    found = []
    for language, source in zip(given.get("language") or [], given.get("solution") or [], strict=False):
        name = _LANGUAGES.get(language)
        if name is not None and isinstance(source, str) and source.strip():
            found.append(Solution(name, source, correct))
    return found


class CodeContests(IdField):
    id_field = "name"
    name = "codecontests"

    def convert(self, row: Mapping[str, Any]) -> Converted:
        source_id = self.source_id(row)
        if row.get("input_file") or row.get("output_file"):
            raise RowError("reads or writes named files instead of stdin/stdout, which the tests cannot express")
        body: dict[str, Any] = {"tests": {"kind": "stdio", "compare": "tokens", "cases": _cases(row)}}
        limits = _limits(row)
        if limits:
            body["limits"] = limits
        solutions = _solutions(row, "solutions", True) + _solutions(row, "incorrect_solutions", False)
        return Converted(source_id, body, tuple(solutions))
