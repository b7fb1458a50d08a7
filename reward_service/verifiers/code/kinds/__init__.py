"""One model per kind of code test: its wire form (what a request's or a stored problem's
``tests`` is, validated once), what runs in the sandbox for it, and how each run is judged.

Adding a kind is one module here with a ``KindModel`` subclass (base.py) whose ``kind`` is
a ``Literal`` of its name, and one registration: its class in ``AnyTests``. The wire schema
(reward_service/schemas/scoring.py) takes ``CodeTests`` from here, so it follows.
"""

from __future__ import annotations

from typing import Annotated, Any, get_args

from pydantic import Field, TypeAdapter

from reward_service.verifiers.code.kinds.assertion import AssertTests
from reward_service.verifiers.code.kinds.base import KindModel, RunContext
from reward_service.verifiers.code.kinds.call import CallTests
from reward_service.verifiers.code.kinds.checker import CheckerTests
from reward_service.verifiers.code.kinds.interactive import InteractiveTests
from reward_service.verifiers.code.kinds.stdio import StdioTests

# The registration: every kind there is, once.
AnyTests = StdioTests | AssertTests | CallTests | CheckerTests | InteractiveTests
# On the wire, the kind is picked by its `kind` field.
CodeTests = Annotated[AnyTests, Field(discriminator="kind")]

KINDS: dict[str, type[KindModel]] = {kind.model_fields["kind"].default: kind for kind in get_args(AnyTests)}

_CODE_TESTS: TypeAdapter[AnyTests] = TypeAdapter(CodeTests)


def parse_tests(data: Any) -> AnyTests:
    """The tests of a wire or stored ``tests`` object, validated (pydantic's ValidationError if not)."""
    return _CODE_TESTS.validate_python(data)


__all__ = [
    "KINDS",
    "AnyTests",
    "AssertTests",
    "CallTests",
    "CheckerTests",
    "CodeTests",
    "InteractiveTests",
    "KindModel",
    "RunContext",
    "StdioTests",
    "parse_tests",
]
