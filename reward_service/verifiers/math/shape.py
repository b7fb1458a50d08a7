"""What an answer is, beyond its values: named values, a set, an ordered pair, a number.

math-verify compares values generously across forms: `x=3, y=4` against `(4, 3)` (names
dropped, order ignored), `\\{1, 2\\}` against the pair `(1, 2)`, `[2, 2]` (the set {2})
against 2. Each of those scored a wrong answer as right. The rules here only ever turn
a match into a mismatch:

- Where names are given, values go with their names. Both named: the same names with
  equal values. A named reference against an ordered tuple: the tuple's values in the
  order the reference writes its names (`x = -5, p = 14/3` is `(-5, 14/3)`), or, where
  that cannot be read, in the names' alphabetical order ((x, y), (a, b, c)): one order,
  never either. A named answer against an ordered
  reference: the answer's values in alphabetical order of its names (`y = 3, x = 4` is
  (4, 3), whatever order it lists them in). Against a set or a bare list of values (a
  solution set, `x_1 = ..., x_2 = ...`), the values are compared as a set.
- A set (written with braces) is not an ordered pair or interval, and neither is a number.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import sympy
from sympy.core.function import AppliedUndef

Equal = Callable[[Any, Any], bool]


def _is_name(expr: Any) -> bool:
    return isinstance(expr, sympy.Symbol | AppliedUndef)


def _ordered(expr: Any) -> list[Any] | None:
    """The values of an ordered tuple, in order: a Tuple, or an open interval `(a, b)`
    (which is how a pair of numbers is read)."""
    if isinstance(expr, sympy.Tuple):
        return list(expr)
    if isinstance(expr, sympy.Interval) and expr.left_open and expr.right_open:
        return [expr.start, expr.end]
    return None


def named_values(expr: Any) -> dict[str, Any] | None:
    """{name: value} for `x = 3`, `x = 3, y = 4` (a set of equations) or `(x, y) = (3, 4)`;
    None when the answer does not name its values, or names one twice (`x = 1, x = 2`,
    a list of solutions)."""
    equations = list(expr) if isinstance(expr, sympy.FiniteSet) else [expr]
    named: dict[str, Any] = {}
    for equation in equations:
        if not isinstance(equation, sympy.Eq):
            return None
        names, values = _ordered(equation.lhs), _ordered(equation.rhs)
        if names is not None and values is not None and len(names) == len(values):
            pairs = list(zip(names, values, strict=True))
        else:
            pairs = [(equation.lhs, equation.rhs)]
        for name, value in pairs:
            if not _is_name(name) or str(name) in named:
                return None
            named[str(name)] = value
    return named or None


_WRITTEN_NAME = re.compile(r"([A-Za-z])(?:_\{?\s*([A-Za-z0-9]+)\s*\}?)?\s*=")


def _written_order(named: dict[str, Any], text: str) -> list[str] | None:
    """The names in the order `text` writes them (`x_{1} = ..., x_{2} = ...`), when that can be read."""
    order: list[str] = []
    for match in _WRITTEN_NAME.finditer(text):
        name = match.group(1) + (f"_{match.group(2)}" if match.group(2) else "")
        if name in named and name not in order:
            order.append(name)
    return order if sorted(order) == sorted(named) else None


def _same_values(values: list[Any], others: list[Any], equal: Equal) -> bool:
    return len(values) == len(others) and all(equal(a, b) for a, b in zip(values, others, strict=True))


def _same_set(values: list[Any], others: list[Any], equal: Equal) -> bool:
    left = list(others)
    for value in values:
        match = next((index for index, other in enumerate(left) if equal(value, other)), None)
        if match is None:
            return False
        del left[match]
    return not left


def compare_named(gold: Any, answer: Any, equal: Equal, gold_text: str = "") -> bool | None:
    """Whether named values agree, by name; None when neither side names two or more
    values (a single `x = 3` against 3 is left to the equation rules)."""
    gold_named, answer_named = named_values(gold), named_values(answer)
    if gold_named is not None and answer_named is not None:
        if gold_named.keys() != answer_named.keys():
            return False
        return all(equal(gold_named[name], answer_named[name]) for name in gold_named)
    named, other = (gold_named, answer) if gold_named is not None else (answer_named, gold)
    if named is None or len(named) < 2:
        return None
    if isinstance(other, sympy.FiniteSet):
        return _same_set(list(named.values()), list(other), equal)
    values = _ordered(other)
    if values is None:
        return False  # a single number, or something else: it cannot stand for several named values
    # One order only, or any permutation of two values would pass: the reference's written
    # order where it can be read, else alphabetical.
    order = (_written_order(named, gold_text) if gold_named is not None else None) or sorted(named)
    return _same_values([named[name] for name in order], values, equal)


def _kind(expr: Any, written: str) -> str | None:
    if isinstance(expr, sympy.FiniteSet):
        return "set" if "\\{" in written or "\\lbrace" in written else "list"
    if isinstance(expr, sympy.Tuple | sympy.Interval):
        return "ordered"
    if isinstance(expr, sympy.Expr) and not isinstance(expr, sympy.Eq):
        return "number"
    return None


def shapes_differ(gold: Any, gold_text: str, answer: Any, answer_text: str) -> bool:
    """True when the two are different kinds of object: a number against any collection,
    or a set in braces against an ordered pair or interval (a bare list `1, 2` may be either)."""
    gold_kind, answer_kind = _kind(gold, gold_text), _kind(answer, answer_text)
    if gold_kind is None or answer_kind is None or gold_kind == answer_kind:
        return False
    if "number" in (gold_kind, answer_kind):
        return True
    return {gold_kind, answer_kind} == {"set", "ordered"}
