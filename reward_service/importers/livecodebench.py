"""livecodebench/code_generation_lite: stdin and functional tests, the private ones compressed.

Schema (the dataset card and LiveCodeBench's loader): `question_id`, `question_title`,
`question_content`, `platform`, `contest_id`, `contest_date`, `starter_code`,
`difficulty`, `public_test_cases` (a JSON string: a list of `{"input", "output",
"testtype"}`), `private_test_cases` (base64 of zlib of a pickled JSON string of the same
list; older releases hold the JSON string itself), `metadata` (a JSON string;
`func_name` for functional problems).

A `stdin` test is a stdio case (outputs compared as tokens). A `functional` test calls
`func_name` (LeetCode's `class Solution`): its input is one JSON value per line, the
arguments, and its output the JSON of the return value, not wrapped. The private tests
are unpickled by an unpickler that refuses every class and function, so the file can
hold only plain strings: a crafted file cannot run code in the importer.
"""

from __future__ import annotations

import base64
import io
import json
import pickle
import zlib
from collections.abc import Mapping
from typing import Any

from reward_service.exceptions import RowError
from reward_service.importers.converted import Converted, IdField


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"refused {module}.{name}: only plain data is read")


def _private_tests(raw: Any) -> list[Any]:
    if not raw:
        return []
    text = raw.decode() if isinstance(raw, bytes) else str(raw)
    if text.lstrip().startswith("["):
        return list(json.loads(text))
    try:
        unpickled = _PlainUnpickler(io.BytesIO(zlib.decompress(base64.b64decode(text)))).load()
        return list(json.loads(unpickled) if isinstance(unpickled, (str, bytes)) else unpickled)
    except (ValueError, TypeError, zlib.error, pickle.UnpicklingError, EOFError) as exc:
        raise RowError(f"`private_test_cases` cannot be decoded: {exc}") from exc


def _test_list(row: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    try:
        public = json.loads(row.get("public_test_cases") or "[]")
    except ValueError as exc:
        raise RowError(f"`public_test_cases` is not JSON: {exc}") from exc
    tests = [*public, *_private_tests(row.get("private_test_cases"))]
    for number, test in enumerate(tests):
        if not isinstance(test, Mapping) or not isinstance(test.get("input"), str):
            raise RowError(f"test {number} has no input")
        if not isinstance(test.get("output"), str):
            raise RowError(f"test {number} has no output")
    if not tests:
        raise RowError("no tests")
    return tests


def _function_name(row: Mapping[str, Any]) -> str:
    try:
        metadata = json.loads(row.get("metadata") or "{}")
    except ValueError as exc:
        raise RowError(f"`metadata` is not JSON: {exc}") from exc
    name = metadata.get("func_name") if isinstance(metadata, Mapping) else None
    if not name:
        raise RowError("functional tests but no `func_name` in `metadata`")
    return str(name)


def _call_case(test: Mapping[str, Any], number: int) -> dict[str, Any]:
    try:
        args = [json.loads(line) for line in test["input"].split("\n") if line.strip()]
        expected = json.loads(test["output"])
    except ValueError as exc:
        raise RowError(f"functional test {number} is not JSON: {exc}") from exc
    return {"args": args, "expected": expected}


class LiveCodeBench(IdField):
    id_field = "question_id"
    name = "livecodebench"

    def convert(self, row: Mapping[str, Any]) -> Converted:
        source_id = self.source_id(row)
        tests = _test_list(row)
        kinds = {str(test.get("testtype", "stdin")) for test in tests}
        if kinds == {"functional"}:
            cases = [_call_case(test, number) for number, test in enumerate(tests)]
            body = {"tests": {"kind": "call", "fn_name": _function_name(row), "cases": cases}}
        elif kinds == {"stdin"}:
            cases = [{"input": test["input"], "output": test["output"]} for test in tests]
            body = {"tests": {"kind": "stdio", "compare": "tokens", "cases": cases}}
        else:
            raise RowError(f"test types {sorted(kinds)}: a problem's tests must be all stdin or all functional")
        return Converted(source_id, body)
