"""BAAI/TACO: APPS's schema plus limits, tags and sources; no id of its own.

Schema (the dataset card): `question`, `solutions` (a JSON string: Python programs),
`starter_code`, `input_output` (a JSON string, as APPS: `fn_name` for call-based
problems, outputs wrapped in one-element lists), `difficulty`, `raw_tags`, `name`,
`source`, `tags`, `skill_types`, `url`, `Expected Auxiliary Space`, `time_limit` (text:
"2 seconds", "1.5 second"), `date`, `picture_num`, `memory_limit` (text: "256
megabytes"), `Expected Time Complexity`.

TACO rows carry no id: a problem is named by its `url` (one per problem on its judge),
or by `name` and `source` where there is no url.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from reward_service.exceptions import RowError
from reward_service.importers.apps import io_tests, python_solutions
from reward_service.importers.converted import Converted

_AMOUNT = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*([A-Za-z]+)")
_SECONDS = {"second": 1.0, "seconds": 1.0, "sec": 1.0, "s": 1.0, "millisecond": 1e-3, "milliseconds": 1e-3, "ms": 1e-3}
_MEGABYTES = {
    "megabytes": 1.0,
    "megabyte": 1.0,
    "mb": 1.0,
    "kilobytes": 1 / 1024,
    "kb": 1 / 1024,
    "gigabytes": 1024.0,
    "gb": 1024.0,
}


def _amount(text: Any, units: Mapping[str, float]) -> float | None:
    """`2 seconds` -> 2.0 (in the unit of `units`); None for "None", empty or unknown text."""
    match = _AMOUNT.match(str(text or ""))
    if match is None:
        return None
    factor = units.get(match.group(2).lower())
    return float(match.group(1)) * factor if factor is not None else None


def _source_id(row: Mapping[str, Any]) -> str:
    url = str(row.get("url") or "").strip()
    if url:
        return url
    name = str(row.get("name") or "").strip()
    if name:
        return f"{row.get('source') or 'unknown'}/{name}"
    raise RowError("no `url` and no `name` to name the problem by")


class Taco:
    name = "taco"

    def source_id(self, row: Mapping[str, Any]) -> str:
        return _source_id(row)

    def convert(self, row: Mapping[str, Any]) -> Converted:
        source_id = self.source_id(row)
        body: dict[str, Any] = {"tests": io_tests(row)}
        limits: dict[str, Any] = {}
        seconds = _amount(row.get("time_limit"), _SECONDS)
        if seconds:
            limits["time_s"] = seconds
        megabytes = _amount(row.get("memory_limit"), _MEGABYTES)
        if megabytes:
            limits["memory_mb"] = math.ceil(megabytes)
        if limits:
            body["limits"] = limits
        return Converted(source_id, body, python_solutions(row))
