"""Building items from what trainers hold: dataset answers, test specs in several spellings."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from reward_client.wire import plain


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


def _lines(value: Any) -> str:
    value = plain(value) if callable(getattr(value, "tolist", None)) else value
    return "\n".join(map(str, value)) if isinstance(value, list) else str(value)


def as_tests(value: Any) -> dict[str, Any] | None:
    """A code item's `tests` from the spellings datasets use; None when `value` is not a test spec.

    - the service's own form: `{"kind": "stdio" | "assert" | "call", ...}`;
    - APPS / TACO / PRIME style: `{"inputs": [...], "outputs": [...]}` (stdin/stdout pairs),
      with `"fn_name"` (call-based: each input is the argument list);
    - either of those as a JSON string, as parquet files and veRL's ground_truth often hold them.
    """
    if isinstance(value, (str, bytes)):
        text = value.decode() if isinstance(value, bytes) else value
        if not text.lstrip().startswith("{"):
            return None
        try:
            value = json.loads(text)
        except ValueError:
            return None
    if not isinstance(value, Mapping):
        return None
    if "kind" in value:
        return dict(value)
    if "inputs" in value and "outputs" in value:
        inputs = plain(value["inputs"]) if callable(getattr(value["inputs"], "tolist", None)) else list(value["inputs"])
        outputs = (
            plain(value["outputs"]) if callable(getattr(value["outputs"], "tolist", None)) else list(value["outputs"])
        )
        if value.get("fn_name"):
            return {
                "kind": "call",
                "fn_name": str(value["fn_name"]),
                "cases": [
                    {"args": args if isinstance(args, list) else [args], "expected": expected}
                    for args, expected in zip(inputs, outputs, strict=False)
                ],
            }
        return {
            "kind": "stdio",
            "cases": [{"input": _lines(i), "output": _lines(o)} for i, o in zip(inputs, outputs, strict=False)],
        }
    return None
