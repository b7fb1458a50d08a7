"""Building items from what trainers hold: dataset answers, test specs in several spellings."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def math_item(response: str, ground_truth: Any, *, id: str | None = None, mode: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"task": "math", "response": response, "ground_truth": ground_truth}
    if id is not None:
        item["id"] = id
    if mode is not None:
        item["mode"] = mode
    return item


def code_item(
    response: str,
    tests: Mapping[str, Any],
    *,
    id: str | None = None,
    language: str | None = None,
    limits: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    item: dict[str, Any] = {"task": "code", "response": response, "tests": dict(tests)}
    if id is not None:
        item["id"] = id
    if language:
        item["language"] = language
    if limits:
        item["limits"] = dict(limits)
    return item


def _loads(value: Any) -> Any:
    if isinstance(value, bytes):
        value = value.decode()
    if isinstance(value, str) and value.lstrip().startswith("{"):
        return json.loads(value)
    return value


def _length(value: Any) -> int | None:
    if isinstance(value, (str, bytes, Mapping)):
        return None
    try:
        return len(value)
    except TypeError:
        return None


def as_tests(value: Any) -> dict[str, Any] | None:
    """A code item's `tests` from the spellings datasets use; None when `value` is not a test spec.

    - the service's own form: `{"kind": "stdio" | "assert" | "call", ...}`;
    - APPS / TACO / PRIME style: `{"inputs": [...], "outputs": [...]}` (stdin/stdout pairs),
      with `"fn_name"` (call-based): sent as tests of kind `io`, which the service turns
      into its own by the datasets' rules (the same rules `/openrlhf` and the importer use);
    - either of those as a JSON string, as parquet files and veRL's ground_truth often hold them.
    """
    try:
        value = _loads(value)
    except ValueError:
        return None
    if not isinstance(value, Mapping):
        return None
    if "kind" in value:
        return dict(value)
    if "inputs" in value and "outputs" in value:
        inputs, outputs = _length(value["inputs"]), _length(value["outputs"])
        if not inputs or inputs != outputs:
            return None  # no cases, or lengths that differ: not a spec the service could judge
        return {**value, "kind": "io"}
    return None
