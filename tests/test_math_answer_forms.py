"""Answers whose form carries meaning the values alone do not: exact integers written as
decimals, named values, units, sets against pairs, prime marks; and how closely a decimal
must approximate an exact reference (the `approximation_decimals` option). Through POST /score."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import math_item, score
from fastapi.testclient import TestClient

# (ground truth, boxed answer, expected status)
FORMS = [
    # A decimal that stands for an integer is held to it exactly.
    ("100000000000000001", "1.0 \\times 10^{17}", "wrong"),
    ("100000000000000000", "1.0 \\times 10^{17}", "correct"),
    ("123456789012345678", "1.23456789012345 \\times 10^{17}", "wrong"),
    ("3", "3.0", "correct"),
    # Named values go with their names.
    ("x=3, y=4", "(4,3)", "wrong"),
    ("x=3, y=4", "(3,4)", "correct"),
    ("(3,4)", "y = 3, x = 4", "wrong"),
    ("(3,4)", "x = 3, y = 4", "correct"),
    ("x=3, y=4", "y=4, x=3", "correct"),
    ("x=3, y=4", "x=4, y=3", "wrong"),
    ("x=3, y=4", "a=3, b=4", "wrong"),
    ("x=3, y=4", "(x, y) = (3, 4)", "correct"),
    ("x=3, y=4", "\\{4, 3\\}", "correct"),  # a set of values: compared as a set
    ("x = -5, p = \\frac{14}{3}", "(-5, \\frac{14}{3})", "correct"),  # in the order the reference writes them
    ("x = -5, p = \\frac{14}{3}", "(\\frac{14}{3}, -5)", "wrong"),
    ("x_1 = 2, x_2 = 5", "5, 2", "correct"),  # a solution set
    ("x = 3", "y = 3", "wrong"),
    ("x = 3", "3", "correct"),
    # Units: different units are wrong, unless the reference has none.
    ("3 cm", "3 mm", "wrong"),
    ("2 kg", "2 g", "wrong"),
    ("5 cm", "5 m", "wrong"),
    ("12 \\text{ cm}^2", "12 \\text{ cm}", "wrong"),
    ("3 cm", "3\\,\\text{cm}", "correct"),
    ("3 cm", "3 \\mathrm{~mm}", "wrong"),
    ("3 cm", "3 centimeters", "correct"),
    ("3 cm", "3", "correct"),
    ("3", "3 cm", "correct"),
    ("30^\\circ", "30 degrees", "correct"),
    # A set is not a pair or an interval, and neither is a number.
    ("(1,2)", "\\{1,2\\}", "wrong"),
    ("\\{1,2\\}", "(1,2)", "wrong"),
    ("2", "[2,2]", "wrong"),
    ("2", "\\{2\\}", "wrong"),
    ("\\{1,2\\}", "\\{2,1\\}", "correct"),
    ("1, 2", "\\{1, 2\\}", "correct"),
    ("(1,2)", "(1, 2)", "correct"),
    # A prime mark (feet, arcminutes, a derivative) the reference does not have.
    ("2", "2'", "wrong"),
    ("2", "2^{\\prime}", "wrong"),
]


@pytest.mark.parametrize(("gold", "answer", "expected"), FORMS)
def test_the_form_of_an_answer_counts(client: TestClient, gold: str, answer: str, expected: str) -> None:
    [result] = score(client, [math_item("f", f"\\boxed{{{answer}}}", gold)])
    assert result["status"] == expected, result


# (ground truth, answer, approximation_decimals, expected status); a missing option is the default (6).
APPROXIMATIONS: list[tuple[str, str, Any, str]] = [
    ("\\pi", "3.14159265", "default", "correct"),
    ("\\pi", "3.14", "default", "wrong"),
    ("\\frac{1}{3}", "0.33333333", "default", "correct"),
    ("\\frac{1}{3}", "0.33333333", None, "wrong"),
    ("\\pi", "3.14159265", None, "wrong"),
    ("\\frac{1}{2}", "0.5", None, "correct"),
    ("\\frac{1}{10}", "0.1", None, "correct"),
    ("2500", "2.5 \\times 10^{3}", None, "correct"),
    ("\\pi", "3.14", 2, "correct"),
    ("\\sqrt{2}", "1.4142", 4, "correct"),
    ("\\sqrt{2}", "1.4142", 6, "wrong"),
    # However coarse the rounding, a tiny number is not its neighbour.
    ("1.2 \\times 10^{-6}", "1.3 \\times 10^{-6}", 2, "wrong"),
]


@pytest.mark.parametrize(("gold", "answer", "decimals", "expected"), APPROXIMATIONS)
def test_how_close_a_decimal_must_be_is_an_option(
    client: TestClient, gold: str, answer: str, decimals: Any, expected: str
) -> None:
    options = None if decimals == "default" else {"approximation_decimals": decimals}
    [result] = score(client, [math_item("d", f"\\boxed{{{answer}}}", gold)], options)
    assert result["status"] == expected, result


def test_the_option_is_part_of_the_cache_key(client: TestClient) -> None:
    # The same answer and reference, scored under two precisions in a row, gets each its own verdict.
    item = math_item("c", "\\boxed{0.33333333}", "\\frac{1}{3}")
    assert score(client, [item])[0]["status"] == "correct"
    assert score(client, [item], {"approximation_decimals": None})[0]["status"] == "wrong"
    assert score(client, [item])[0]["status"] == "correct"
