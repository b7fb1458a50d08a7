"""Request bodies read as strict JSON: what cannot be answered is refused up front, by name.

Python's ``json`` accepts what later stages cannot carry back out: ``NaN`` and
``Infinity`` (and ``1e999``, read as infinity), lone UTF-16 surrogates (``"\\ud800"``,
valid JSON escapes but not Unicode, so encoding the response fails), and nesting
deep enough to overflow the recursion of every serializer after it. Each used to
end in a 500 for the whole batch (or, for NaN, a 500 while rendering the 422).
Here each is a 422 whose ``loc`` names the field, in the shape of FastAPI's own
validation errors, before any model sees the body.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.routing import APIRoute

# Deeper than any real test argument (a tree as nested lists stays well under it),
# shallow enough for every serializer and pickler on the way to the sandbox.
MAX_NESTING = 100


class _NotStrictJSON(ValueError):
    pass


def _reject_constant(name: str) -> float:
    raise _NotStrictJSON(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotStrictJSON(f"{text} is out of range for a finite number")
    return value


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def find_problem(value: Any) -> tuple[list[str | int], str] | None:
    """The first place in a decoded body that cannot travel on: (path, reason)."""
    stack: list[tuple[Any, list[str | int]]] = [(value, [])]
    while stack:
        node, path = stack.pop()
        if len(path) > MAX_NESTING:
            return path[: MAX_NESTING + 1], f"nested more than {MAX_NESTING} levels deep"
        if isinstance(node, str):
            if _has_lone_surrogate(node):
                return path, "contains a lone UTF-16 surrogate, which is not valid Unicode"
        elif isinstance(node, dict):
            for key, child in node.items():
                if _has_lone_surrogate(key):
                    return path, "has a key with a lone UTF-16 surrogate, which is not valid Unicode"
                stack.append((child, [*path, key]))
        elif isinstance(node, list):
            stack.extend((child, [*path, index]) for index, child in enumerate(node))
    return None


def _invalid(loc: list[str | int], message: str) -> HTTPException:
    return HTTPException(status_code=422, detail=[{"type": "json_invalid", "loc": ["body", *loc], "msg": message}])


def parse_strict_json(body: bytes) -> Any:
    """The decoded body, or an HTTPException(422) that says where and why not."""
    try:
        value = json.loads(body, parse_constant=_reject_constant, parse_float=_finite, parse_int=_bounded_int)
    except _NotStrictJSON as exc:
        raise _invalid([], str(exc)) from None
    except RecursionError:
        raise _invalid([], f"nested more than {MAX_NESTING} levels deep") from None
    problem = find_problem(value)
    if problem is not None:
        raise _invalid(*problem)
    return value


def _bounded_int(text: str) -> int:
    # int() of more than 4,300 digits raises ValueError, which FastAPI turns into a
    # generic 400; say what is wrong instead.
    try:
        return int(text)
    except ValueError:
        raise _NotStrictJSON(f"an integer of {len(text)} digits is too long") from None


class _StrictJSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = parse_strict_json(await self.body())
        return self._json


class StrictJSONRoute(APIRoute):
    """An APIRoute whose JSON body is parsed by :func:`parse_strict_json`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            return await handler(_StrictJSONRequest(request.scope, request.receive))

        return strict_handler
