"""Decide whether a parsed answer equals the parsed ground truth (worker side).

math-verify does the comparison. One of its numeric checks is guarded first:
it evaluates ``(a - b)`` to 15 digits with ``chop=True``, which rounds tiny
differences to zero and so accepts ``1/2004!`` for ``1/2006!`` and ``1/2^99``
for ``1/2^98``, free rewards a policy learns to farm. The guard compares the
two values relative to their size and rejects pairs that clearly differ; it
only ever turns a "same" into a "different", never the reverse. A decimal that
stands for an integer is held to it exactly (`1.0 \\times 10^{17}` is not
100000000000000001).

How close a decimal approximation of an exact value must be is the caller's
`decimals`: math-verify's rounding to 6 decimals by default (`3.14159265` is π,
`3.14` is not); None accepts a decimal only when it equals the value exactly
(`0.5` for 1/2, never `0.33333333` for 1/3).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import product
from typing import Any

import sympy
from latex2sympy2_extended import is_expr_of_only_symbols
from math_verify import grader, verify
from sympy.core.function import AppliedUndef

from reward_service.verifiers.jobs import DEFAULT_MATH_DECIMALS
from reward_service.verifiers.math.shape import compare_named, shapes_differ

_PRECISION_DIGITS = 40
# Exact operands: any relative gap beyond evalf noise is a real difference.
_EXACT_RELATIVE_TOLERANCE = sympy.Float("1e-20")
# A float operand was rounded by the model; math-verify's 6-decimal rounding
# decides within this gap, the guard only rejects what is clearly off.
_FLOAT_RELATIVE_TOLERANCE = sympy.Float("1e-4")


def _is_percent(expr: Any) -> bool:
    return grader.get_pct_val(expr) is not None


def _integer_valued(value: Any) -> bool:
    # Float == Integer compares precisions too; their difference is plain arithmetic.
    return bool((value - sympy.floor(value)) == 0)


def clearly_different_numbers(a: Any, b: Any, decimals: int | None = DEFAULT_MATH_DECIMALS) -> bool:
    """True when ``a`` and ``b`` are both constant numbers whose values differ
    by more than rounding to ``decimals`` could explain, judged relative to their magnitude."""
    if not (isinstance(a, sympy.Expr) and isinstance(b, sympy.Expr)):
        return False
    if not (a.is_number and b.is_number) or _is_percent(a) or _is_percent(b):
        return False
    try:
        a_value = a.evalf(_PRECISION_DIGITS)
        b_value = b.evalf(_PRECISION_DIGITS)
        if not (a_value.is_Number and b_value.is_Number):
            return False
        scale = max(abs(a_value), abs(b_value))
        if scale == 0:
            return False
        a_float, b_float = a.has(sympy.Float), b.has(sympy.Float)
        if a_float != b_float:
            exact_value, float_value = (b, a_value) if a_float else (a, b_value)
            # A decimal that stands for an integer (3.0, 1.0 \times 10^{17}) is that integer, exactly.
            if exact_value.is_Integer and _integer_valued(float_value):
                return bool(sympy.Integer(int(float_value)) != exact_value)
        if not (a_float or b_float):
            tolerance = _EXACT_RELATIVE_TOLERANCE
        else:
            rounding = sympy.Float(10) ** -(decimals if decimals is not None else 15)
            tolerance = max(_FLOAT_RELATIVE_TOLERANCE, rounding)
        return bool(abs(a_value - b_value) > tolerance * scale)
    except (TypeError, ValueError, ArithmeticError, AttributeError):
        return False


def _install_numeric_guard() -> None:
    # sympy_numeric_eq is looked up as a module global by math-verify's scalar,
    # set, tuple, interval and matrix comparisons, so guarding it here covers
    # tiny numbers nested inside any of them too.
    original = grader.sympy_numeric_eq
    if getattr(original, "_reward_service_guard", False):
        return

    def guarded(a: Any, b: Any, float_rounding: int, numeric_precision: int) -> bool:
        if clearly_different_numbers(a, b, float_rounding):
            return False
        return bool(original(a, b, float_rounding, numeric_precision))

    guarded._reward_service_guard = True  # type: ignore[attr-defined]
    grader.sympy_numeric_eq = guarded


_install_numeric_guard()


def _links(relation: Any) -> list[Any]:
    return list(relation._unsorted_args) if isinstance(relation, sympy.And) else [relation]


def _names_its_value(equation: Any) -> bool:
    """Whether an equation answer may stand for its right-hand side: it names what it
    states (``x = 2``, ``f(3) = 2``) and every later link of a chain holds
    (``x = 4/2 = 2``). math-verify reads any equation as its last right-hand side
    when the reference is a bare value, so ``7 = 2`` and ``x = 7 = 2`` would match 2."""
    links = _links(equation)
    lhs = links[0].lhs
    if not (is_expr_of_only_symbols(lhs) or isinstance(lhs, AppliedUndef)):
        return False
    return all(verify(link.lhs, link.rhs, timeout_seconds=None, raise_on_error=False) for link in links[1:])


def _exact_decimals(expr: Any) -> Any:
    """The answer with each decimal read as the exact number it writes (0.1 is 1/10)."""
    if not isinstance(expr, sympy.Basic) or not expr.has(sympy.Float):
        return expr
    return expr.xreplace({number: sympy.Rational(str(number)) for number in expr.atoms(sympy.Float)})


def _equal(decimals: int | None) -> Callable[[Any, Any], bool]:
    rounding = decimals if decimals is not None else DEFAULT_MATH_DECIMALS

    def equal(gold: Any, answer: Any) -> bool:
        if clearly_different_numbers(gold, answer, decimals):
            return False
        return bool(verify(gold, answer, float_rounding=rounding, timeout_seconds=None, raise_on_error=False))

    return equal


def answers_equivalent(
    gold: Sequence[Any],
    answer: Sequence[Any],
    gold_text: str = "",
    answer_text: str = "",
    decimals: int | None = DEFAULT_MATH_DECIMALS,
) -> bool:
    """Whether any parse of the answer matches any parse of the ground truth.

    `gold_text` and `answer_text` are what was written (a set is told from a list by its
    braces); `decimals` is how closely a decimal must approximate an exact value."""
    equal = _equal(decimals)
    for g, a in product(gold, answer):
        if decimals is None:
            a = _exact_decimals(a)
        named = compare_named(g, a, equal, gold_text)
        if named is not None:
            if named:
                return True
            continue
        if shapes_differ(g, gold_text, a, answer_text):
            continue
        if grader.is_equation(a) and not grader.is_relation(g) and not _names_its_value(a):
            continue
        if equal(g, a):
            return True
    return False
