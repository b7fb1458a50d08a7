"""codeparrot/apps: tests as the JSON string `input_output`, solutions as a JSON list of Python sources.

Schema (the dataset card): `problem_id`, `question`, `solutions` (a JSON string: a list of
Python 3 programs), `input_output` (a JSON string: `{"inputs", "outputs"}`, with
`fn_name` for call-based problems), `starter_code`, `difficulty`, `url`. The tests are
made by `reward_service.schemas.dataset_tests`, the rule set that the wire's `io` tests
(the client's veRL and TRL adapters) and `/openrlhf` use too: call-based outputs are
wrapped in one-element lists, and the return value matches the list or its element, as
APPS's own testing code judges them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from reward_service.exceptions import RowError
from reward_service.importers.converted import Converted, IdField, Solution, required
from reward_service.schemas.dataset_tests import loads_spec, tests_from_io


def io_tests(row: Mapping[str, Any]) -> dict[str, Any]:
    try:
        spec = loads_spec(required(row, "input_output"))
    except ValueError as exc:
        raise RowError(f"`input_output` is not JSON: {exc}") from exc
    if not isinstance(spec, Mapping) or "inputs" not in spec or "outputs" not in spec:
        raise RowError("`input_output` has no `inputs` and `outputs`")
    try:
        return tests_from_io(spec)
    except ValueError as exc:
        raise RowError(f"`input_output`: {exc}") from exc


def python_solutions(row: Mapping[str, Any]) -> tuple[Solution, ...]:
    raw = row.get("solutions")
    if not raw:
        return ()
    try:
        sources = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return ()  # the tests are what matters; unreadable solutions only cost validation
    if not isinstance(sources, list):
        return ()
    return tuple(Solution("python", source, True) for source in sources if isinstance(source, str) and source.strip())


class Apps(IdField):
    id_field = "problem_id"
    name = "apps"

    def convert(self, row: Mapping[str, Any]) -> Converted:
        source_id = self.source_id(row)
        return Converted(source_id, {"tests": io_tests(row)}, python_solutions(row))
