"""Tests from the shape datasets store them in: one rule set for every way in.

APPS, TACO, PRIME and the data derived from them keep a problem's tests as
`{"inputs": [...], "outputs": [...]}`, often as a JSON string, with `"fn_name"` when the
tests call a function. The veRL adapter (ground_truth), `/openrlhf` (labels) and
`reward-service problems import` (the `apps` and `taco` formats) all turn that shape
into the service's tests here, so a row scores the same whichever way it comes in.

The rules, from the datasets' own testing code:
- standard input: each input is the program's stdin, each output its expected stdout
  (a list of lines is joined with newlines);
- call-based (`fn_name`): each input is the argument list; each output is the return
  value wrapped in a one-element list (`[3]` for 3), which the datasets' checker accepts
  as either, so the tests are `call` tests with `wrapped: true`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from reward_client.wire import plain


def _listed(value: Any) -> list[Any]:
    if callable(getattr(value, "tolist", None)):
        value = plain(value)
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise ValueError(f"expected a list, got {type(value).__name__}")
    return list(value)


def _lines(value: Any) -> str:
    value = plain(value) if callable(getattr(value, "tolist", None)) else value
    return "\n".join(map(str, value)) if isinstance(value, list) else str(value)


def is_io_spec(value: Any) -> bool:
    return isinstance(value, Mapping) and "inputs" in value and "outputs" in value


def tests_from_io(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The service's tests for an `{"inputs", "outputs"[, "fn_name"]}` spec; raises
    ValueError naming what is wrong (no cases, inputs and outputs of different lengths)."""
    inputs, outputs = _listed(spec["inputs"]), _listed(spec["outputs"])
    if len(inputs) != len(outputs):
        raise ValueError(f"{len(inputs)} inputs but {len(outputs)} outputs")
    if not inputs:
        raise ValueError("no test cases")
    if spec.get("fn_name"):
        return {
            "kind": "call",
            "fn_name": str(spec["fn_name"]),
            "wrapped": True,
            "cases": [
                {"args": args if isinstance(args, list) else [args], "expected": expected}
                for args, expected in zip(inputs, outputs, strict=True)
            ],
        }
    return {
        "kind": "stdio",
        "cases": [{"input": _lines(i), "output": _lines(o)} for i, o in zip(inputs, outputs, strict=True)],
    }


def loads_spec(value: Any) -> Any:
    """A spec given as a JSON string (as parquet files and veRL's ground_truth hold it), decoded."""
    if isinstance(value, bytes):
        value = value.decode()
    if isinstance(value, str) and value.lstrip().startswith("{"):
        return json.loads(value)
    return value
