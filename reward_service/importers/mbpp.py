"""google-research-datasets/mbpp: a list of assert statements per problem.

Schema (the dataset card, full and sanitized configs): `task_id` (int), `text` or
`prompt` (the task), `code` (a correct solution), `test_list` (assert statements),
`test_setup_code` (run before them), `challenge_test_list` (more asserts, often empty).
The tests are one `assert` test: the setup code, then every assert of `test_list` and
`challenge_test_list`, with the program's functions in scope.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reward_service.exceptions import RowError
from reward_service.importers.converted import Converted, IdField, Solution


def _asserts(row: Mapping[str, Any], key: str) -> list[str]:
    given = row.get(key) or []
    if isinstance(given, str) or not all(isinstance(line, str) for line in given):
        raise RowError(f"`{key}` is not a list of assert statements")
    return [line for line in given if line.strip()]


class Mbpp(IdField):
    id_field = "task_id"
    name = "mbpp"

    def convert(self, row: Mapping[str, Any]) -> Converted:
        source_id = self.source_id(row)
        asserts = _asserts(row, "test_list") + _asserts(row, "challenge_test_list")
        if not asserts:
            raise RowError("no tests: `test_list` is empty")
        code = "\n".join([str(row.get("test_setup_code") or ""), *asserts]).strip() + "\n"
        solutions = (Solution("python", str(row["code"]), True),) if row.get("code") else ()
        return Converted(source_id, {"tests": {"kind": "assert", "code": code}}, solutions)
