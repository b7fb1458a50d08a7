"""Tests from the shape datasets store them in: one rule set for every way in.

APPS, TACO, PRIME and the data derived from them keep a problem's tests as
`{"inputs": [...], "outputs": [...]}`, often as a JSON string, with `"fn_name"` when the
tests call a function. The wire accepts that shape as tests of kind `io` (the client's
veRL and TRL adapters send it so), `/openrlhf` takes it as a label, and
`reward-service problems import` reads it from the `apps` and `taco` formats: all of them
turn it into the service's own tests here, so a row scores the same whichever way it
comes in. The rules live on the server, so that the client and the server agree by
construction and the server needs no client to read a dataset.

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
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


def _plain(value: Any) -> Any:
    # Importers read Parquet columns as numpy arrays: `.tolist()` without importing numpy.
    tolist = getattr(value, "tolist", None)
    return tolist() if callable(tolist) else value


def _listed(value: Any) -> list[Any]:
    value = _plain(value)
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise ValueError(f"expected a list, got {type(value).__name__}")
    return list(value)


def _lines(value: Any) -> str:
    value = _plain(value)
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


class DatasetTests(BaseModel):
    """Tests of kind `io`: a dataset's `{"inputs", "outputs"[, "fn_name"]}` as it stores them.
    Validation turns them into `stdio` or `call` tests (see the module's rules): nothing
    downstream ever sees this kind."""

    model_config = ConfigDict(extra="ignore")

    kind: Literal["io"]
    inputs: list[Any] = Field(..., description="Per case: the program's stdin, or the call's argument list.")
    outputs: list[Any] = Field(
        ..., description="Per case: the expected stdout, or the return value wrapped in a one-element list."
    )
    fn_name: str | None = Field(None, description="Call this function instead of running the program on stdin.")

    @model_validator(mode="after")
    def _makes_tests(self) -> DatasetTests:
        self.service_tests()  # a spec with no cases or unequal lengths is refused here, as a 422
        return self

    def service_tests(self) -> dict[str, Any]:
        """The `stdio` or `call` tests these stand for, as the wire spells them."""
        return tests_from_io({"inputs": self.inputs, "outputs": self.outputs, "fn_name": self.fn_name})
