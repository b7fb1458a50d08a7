"""Answers that cannot be the reference are `wrong` at once, never a null (issue 13, items 11-12).

Before: an integer over Python's 4,300-digit limit came back `error`; power towers,
deep nesting and an answer tag full of parentheses held a worker for the whole
time budget and came back `timeout`; equations and relations with the gold on
their right-hand side (`7 = 2`, `1 \\to 2`) were `correct` for gold 2.
"""

from __future__ import annotations

import time

import pytest
from conftest import TEST_MATH_TIMEOUT_S, math_item, score
from fastapi.testclient import TestClient

ABSURD = {
    "huge_integer": "\\boxed{" + "1" * 5000 + "}",
    "power_tower": "\\boxed{9^{9^{9^{9}}}}",
    "nested_braces": "\\boxed{" + "{" * 3000 + "2" + "}" * 3000 + "}",
    "nested_parentheses": "\\boxed{" + "(" * 40 + "2" + ")" * 40 + "}",
    "answer_tag_of_parentheses": "<answer>" + "(" * 5000 + "</answer>",
    "long_list": "\\boxed{" + ", ".join(["2"] * 3000) + "}",
}


def test_absurd_answers_are_wrong_quickly(client: TestClient) -> None:
    items = [math_item(name, response, "2") for name, response in ABSURD.items()]
    started = time.perf_counter()
    results = score(client, items)
    elapsed = time.perf_counter() - started
    assert {r["id"]: r["status"] for r in results} == {name: "wrong" for name in ABSURD}
    assert all(r["score"] == 0.0 for r in results)
    # Decided before any worker: well inside one math time budget for all seven.
    assert elapsed < TEST_MATH_TIMEOUT_S, elapsed


def test_absurd_answers_do_not_delay_a_concurrent_request(client: TestClient) -> None:
    import threading

    absurd = [math_item(f"a{i}", ABSURD["power_tower"].replace("9", str(3 + i)), "2") for i in range(6)]
    sender = threading.Thread(target=score, args=(client, absurd))
    sender.start()
    started = time.perf_counter()
    (result,) = score(client, [math_item("honest", "\\boxed{\\frac{4}{2}}", "2")])
    elapsed = time.perf_counter() - started
    sender.join()
    assert result["status"] == "correct"
    assert elapsed < TEST_MATH_TIMEOUT_S, elapsed


def test_large_but_honest_answers_still_count(client: TestClient) -> None:
    big = str(3**5000)  # 2,386 digits: a reference of this size is rare but real
    items = [
        math_item("big_gold", f"\\boxed{{{big}}}", big),
        math_item("leading_zeros", "\\boxed{0002}", "2"),
        math_item("tower_of_two", "\\boxed{2^{2^{3}}}", "256"),
        math_item("nested_fraction", "\\boxed{\\frac{\\frac{8}{2}}{\\left(\\frac{4}{2}\\right)}}", "2"),
    ]
    assert [r["status"] for r in score(client, items)] == ["correct"] * len(items)


@pytest.mark.parametrize(
    "answer",
    [
        "7 = 2",
        "3+4 = 2",
        "x = 7 = 2",
        "7 \\equiv 2",
        "7 := 2",
        "1 \\to 2",
        "7 \\implies 2",
        "7 \\Rightarrow 2",
        "7 \\iff 2",
        "7 \\mapsto 2",
        "7 \\sim 2",
        "7 \\colon 2",
        "7 \\lor 2",
        "7 \\approx 2 = 2",
        "\\begin{cases} 7 \\\\ 2 \\end{cases}",
        "5, 9, 2, \\ldots",
        "5, 9, 2, \\dots",
    ],
)
def test_relations_are_not_their_right_hand_side(client: TestClient, answer: str) -> None:
    (result,) = score(client, [math_item("r", f"\\boxed{{{answer}}}", "2")])
    assert (result["status"], result["score"]) == ("wrong", 0.0), result


@pytest.mark.parametrize(
    ("answer", "gold"),
    [
        ("x = 2", "2"),
        ("y := 2", "2"),
        ("f(3) = 2", "2"),
        ("x = \\frac{4}{2} = 2", "2"),
        ("x = 2", "x = 2"),
        ("x \\to 2", "x \\to 2"),
        ("1, 2, \\ldots", "1, 2, \\ldots"),
    ],
)
def test_relations_that_name_their_value_still_count(client: TestClient, answer: str, gold: str) -> None:
    (result,) = score(client, [math_item("r", f"\\boxed{{{answer}}}", gold)])
    assert result["status"] == "correct", result
