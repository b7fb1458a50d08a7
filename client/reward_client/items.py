"""Building items from what trainers hold: dataset answers, test specs in several spellings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reward_client.dataset_tests import is_io_spec, loads_spec, tests_from_io


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


def as_tests(value: Any) -> dict[str, Any] | None:
    """A code item's `tests` from the spellings datasets use; None when `value` is not a test spec.

    - the service's own form: `{"kind": "stdio" | "assert" | "call", ...}`;
    - APPS / TACO / PRIME style: `{"inputs": [...], "outputs": [...]}` (stdin/stdout pairs),
      with `"fn_name"` (call-based), by the rules of `reward_client.dataset_tests`;
    - either of those as a JSON string, as parquet files and veRL's ground_truth often hold them.
    """
    try:
        value = loads_spec(value)
    except ValueError:
        return None
    if not isinstance(value, Mapping):
        return None
    if "kind" in value:
        return dict(value)
    if is_io_spec(value):
        try:
            return tests_from_io(value)
        except ValueError:
            return None  # malformed (no cases, lengths differ): not a spec the service could judge
    return None
