"""openai/openai_humaneval: one `check(candidate)` per problem, run against the entry point.

Schema (the dataset card): `task_id` ("HumanEval/0"), `prompt` (the signature and
docstring), `canonical_solution` (the body that follows the prompt), `test` (defines
`check(candidate)`), `entry_point`. The tests are one `assert` test: `test` runs with the
program's functions in scope, then `check(<entry_point>)`. The known-correct solution
is the prompt followed by the canonical body.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reward_service.exceptions import RowError
from reward_service.importers.converted import Converted, IdField, Solution, required


class HumanEval(IdField):
    id_field = "task_id"
    name = "humaneval"

    def convert(self, row: Mapping[str, Any]) -> Converted:
        source_id = self.source_id(row)
        test, entry_point = str(required(row, "test")), str(required(row, "entry_point"))
        if "def check(" not in test:
            raise RowError("`test` defines no check(candidate)")
        body = {"tests": {"kind": "assert", "code": test, "entry_point": entry_point}}
        solutions: tuple[Solution, ...] = ()
        if row.get("prompt") and row.get("canonical_solution"):
            solutions = (Solution("python", str(row["prompt"]) + str(row["canonical_solution"]), True),)
        return Converted(source_id, body, solutions)
