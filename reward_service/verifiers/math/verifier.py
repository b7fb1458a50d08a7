"""The math verification job: one (answer, ground truth) pair in, one Verdict out.

A plain importable function, so any worker (process pool, RQ) can run it.
"""

from __future__ import annotations

from time import perf_counter
from typing import Any

from reward_service.exceptions import AnswerNotReadable, BudgetExceeded, GroundTruthError
from reward_service.verifiers.budget import time_budget
from reward_service.verifiers.jobs import DEFAULT_MATH_DECIMALS
from reward_service.verifiers.math.compare import answers_equivalent
from reward_service.verifiers.math.parse import check_notation, parse_answer, parse_ground_truth
from reward_service.verifiers.math.units import without_unit
from reward_service.verifiers.verdict import Verdict

_DETAIL_CHARS = 300


def verify_math_answer(
    answer: str, ground_truth: str, budget_s: float, decimals: int | None = DEFAULT_MATH_DECIMALS
) -> Verdict:
    """`decimals`: how closely a decimal answer must approximate an exact reference (see compare.py)."""
    started = perf_counter()
    try:
        with time_budget(budget_s):
            try:
                gold = parse_ground_truth(without_unit(ground_truth))
            except GroundTruthError as exc:
                return Verdict("error", None, {"error": str(exc)})
            try:
                check_notation(answer, ground_truth)
            except AnswerNotReadable as exc:
                return Verdict("wrong", 0.0, {"error": str(exc), "verify_ms": _ms_since(started)})
            parsed = parse_answer(without_unit(answer))
            equal = bool(parsed) and answers_equivalent(gold, parsed, ground_truth, answer, decimals)
            details: dict[str, Any] = {
                "parsed_answer": _describe(parsed[0]) if parsed else None,
                "parsed_ground_truth": _describe(gold[0]),
            }
    except BudgetExceeded:
        return Verdict(
            "timeout",
            None,
            {"error": f"verification took longer than {budget_s:g} s", "verify_ms": _ms_since(started)},
        )
    except RecursionError:
        return Verdict("wrong", 0.0, {"error": "answer too deeply nested to parse", "verify_ms": _ms_since(started)})
    details["verify_ms"] = _ms_since(started)
    if not parsed:
        details["error"] = "answer could not be parsed"
    return Verdict("correct" if equal else "wrong", 1.0 if equal else 0.0, details)


def _describe(value: object) -> str:
    # A short expression can evaluate to an integer too long for str() (Python's
    # 4,300-digit limit): `\\binom{100000}{50000}`.
    try:
        return str(value)[:_DETAIL_CHARS]
    except ValueError:
        return f"<a {type(value).__name__} too large to print>"


def warm_up() -> None:
    """Import and exercise the whole parsing stack once, so the first real item is not slow."""
    verify_math_answer("\\frac{1}{2}", "0.5", budget_s=30.0)


def _ms_since(started: float) -> float:
    return round((perf_counter() - started) * 1000, 3)
