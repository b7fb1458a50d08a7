"""Equivalence per answer category and the known false-positive traps, through POST /score."""

from __future__ import annotations

import pytest
from conftest import math_item, score
from fastapi.testclient import TestClient

# (category, ground truth, boxed answer, expected status)
CASES = [
    ("numbers", "7425000", "7,425,000", "correct"),
    ("numbers", "1000", "1\\,000", "correct"),
    ("numbers", "1000", "1 000", "correct"),
    ("numbers", "0.5", "\\frac{1}{2}", "correct"),
    ("numbers", "\\frac{1}{3}", "0.333333", "correct"),
    ("numbers", "2500", "2.5 \\times 10^{3}", "correct"),
    ("numbers", "-5", "-5.0", "correct"),
    ("numbers", "12", "13", "wrong"),
    ("numbers", "3.14159", "3.14", "wrong"),
    ("percent", "50\\%", "50", "correct"),
    ("percent", "50\\%", "0.5", "correct"),
    ("percent", "50\\%", "50\\%", "correct"),
    ("percent", "5\\%", "500", "wrong"),
    ("fractions", "\\frac{14}{3}", "\\dfrac{14}{3}", "correct"),
    ("fractions", "\\frac{14}{3}", "14/3", "correct"),
    ("radicals", "3\\sqrt{2}", "\\sqrt{18}", "correct"),
    ("radicals", "\\frac{\\sqrt{2}}{2}", "\\frac{1}{\\sqrt{2}}", "correct"),
    ("radicals", "2\\sqrt{3}", "3\\sqrt{2}", "wrong"),
    ("symbolic", "x^2+2x+1", "(x+1)^2", "correct"),
    ("symbolic", "\\frac{x+2}{7}", "\\frac{x}{7}+\\frac{2}{7}", "correct"),
    ("symbolic", "x^2+1", "x^2-1", "wrong"),
    ("sets", "\\{1,2,3\\}", "\\{3,2,1\\}", "correct"),
    ("sets", "\\{1,2,3\\}", "\\{1,2\\}", "wrong"),
    ("intervals", "[0,1)", "[0,1)", "correct"),
    ("intervals", "(1,2]", "(1,2)", "wrong"),
    ("intervals", "(-\\infty, 3]", "(-\\infty,3]", "correct"),
    ("tuples", "(3,2)", "(3, 2)", "correct"),
    ("tuples", "(3,2,7)", "(3,7,2)", "wrong"),
    (
        "matrices",
        "\\begin{pmatrix}1 & 2 \\\\ 3 & 4\\end{pmatrix}",
        "\\begin{bmatrix}1 & 2 \\\\ 3 & 4\\end{bmatrix}",
        "correct",
    ),
    (
        "matrices",
        "\\begin{pmatrix}1 & 2 \\\\ 3 & 4\\end{pmatrix}",
        "\\begin{pmatrix}1 & 2 \\\\ 4 & 3\\end{pmatrix}",
        "wrong",
    ),
    ("equations", "3", "x=3", "correct"),
    ("equations", "x=3", "3", "correct"),
    ("equations", "y = 2x + 1", "y = 1 + 2x", "correct"),
    ("units", "10", "10 \\text{ cm}", "correct"),
    ("units", "45", "45^\\circ", "correct"),
    ("text", "\\text{Monday}", "\\text{Monday}", "correct"),
    ("choice", "\\text{(C)}", "C", "correct"),
    ("choice", "C", "\\text{(C)}", "correct"),
    ("choice", "\\text{(C)}", "D", "wrong"),
    ("constants", "1-\\frac{1}{e}", "1-\\frac{1}{\\mathrm{e}}", "correct"),
    ("constants", "1-\\frac{1}{\\mathrm{e}}", "1-\\frac{1}{\\mathrm{e}^2}", "wrong"),
]

# DESIGN.md's known false positives of rule-based checkers: every one must be `wrong`.
TRAPS = [
    ("\\frac{1}{2004!}", "\\frac{1}{2006!}"),
    ("\\frac{1}{2^{99}}", "\\frac{1}{2^{98}}"),
    ("1-\\frac{1}{e}", "1+\\frac{1}{e}"),
    ("4", "4\\sqrt{2}"),
    ("500", "5"),
    ("5", "500"),
    ("(1,2)", "[1,2]"),
    # The same traps hidden inside structures and tiny floats.
    ("(\\frac{1}{2^{99}}, 1)", "(\\frac{1}{2^{98}}, 1)"),
    ("1.2 \\times 10^{-6}", "1.3 \\times 10^{-6}"),
    ("3", "x \\bmod 3"),
]


def test_equivalence_by_category(client: TestClient) -> None:
    items = [
        math_item(f"{category}-{i}", f"So \\boxed{{{answer}}}.", gold)
        for i, (category, gold, answer, _) in enumerate(CASES)
    ]
    results = score(client, items)
    mismatches = [
        (case, result["status"], result["details"])
        for case, result in zip(CASES, results, strict=False)
        if result["status"] != case[3]
    ]
    assert not mismatches


@pytest.mark.parametrize(("gold", "answer"), TRAPS)
def test_known_traps_are_wrong(client: TestClient, gold: str, answer: str) -> None:
    [result] = score(client, [math_item("trap", f"The result is \\boxed{{{answer}}}", gold)])
    assert result["status"] == "wrong", result
    assert result["score"] == 0.0


def test_traps_still_match_themselves(client: TestClient) -> None:
    """The guard must not turn right answers wrong: each trap's gold matches an equivalent spelling."""
    pairs = [("\\frac{1}{2004!}", "\\dfrac{1}{2004!}"), ("\\frac{1}{2^{99}}", "2^{-99}"), ("4\\sqrt{2}", "\\sqrt{32}")]
    results = score(client, [math_item(str(i), f"\\boxed{{{a}}}", g) for i, (g, a) in enumerate(pairs)])
    assert [r["status"] for r in results] == ["correct"] * len(pairs)


def test_answer_after_think_counts(client: TestClient) -> None:
    results = score(
        client,
        [
            math_item("a", "<think>guess \\boxed{4}</think>The answer is \\boxed{5}", "5"),
            math_item("b", "<think>it is \\boxed{5}, I am sure</think>No idea.", "5", mode="boxed"),
            math_item("c", "<think>\\boxed{5} but I never finish", "5"),
        ],
    )
    assert [r["status"] for r in results] == ["correct", "no_answer", "no_answer"]
    assert [r["score"] for r in results] == [1.0, 0.0, 0.0]
