"""Answer extraction, unit level (no parsing involved)."""

from __future__ import annotations

import pytest

from reward_service.verifiers.math.extract import extract_answer, last_boxed, reference_answer
from reward_service.verifiers.think import final_segment


@pytest.mark.parametrize(
    ("response", "expected", "method"),
    [
        ("so the result is \\boxed{\\frac{1}{2}}.", "\\frac{1}{2}", "boxed"),
        ("first \\boxed{3} then \\boxed{4}, wait: final \\boxed{5}", "5", "boxed"),
        ("nested \\boxed{\\frac{\\sqrt{2}}{2}}", "\\frac{\\sqrt{2}}{2}", "boxed"),
        ("\\fbox{7}", "7", "boxed"),
        ("tex shorthand \\boxed 9.", "9", "boxed"),
        ("roots: \\boxed{1} and \\boxed{-2}", "1, -2", "boxed"),
        ("<think>try 3</think><answer>42</answer>", "42", "answer_tag"),
        ("<think>x</think> <answer>so \\boxed{6}</answer>", "6", "boxed"),
        ("We get 12. The answer is 15.", "15", "answer_phrase"),
        ("Final Answer: The final answer is $\\frac{3}{4}$. I hope it is correct.", "\\frac{3}{4}", "answer_phrase"),
        ("Final Answer: The largest $n$ is 34.", "34", "answer_phrase"),
        ("\\boxed{200} then more work. The final answer is $10,455$.", "10,455", "answer_phrase"),
        ("Thus we find $x \\geq 5$ is the solution.", "x \\geq 5", "last_formula"),
        ("adding gives 12 and then 17", "17", "last_number"),
        ("\\frac{10}{9}", "\\frac{10}{9}", "last_formula"),
    ],
)
def test_extracts_final_answer(response: str, expected: str, method: str) -> None:
    extraction = extract_answer(response, "any", last_number_fallback=True)
    assert extraction is not None
    assert (extraction.answer, extraction.method) == (expected, method)


def test_boxed_mode_ignores_unmarked_answers() -> None:
    assert extract_answer("The answer is 15.", "boxed", last_number_fallback=True) is None
    assert extract_answer("so \\boxed{15}", "boxed", last_number_fallback=True).answer == "15"  # type: ignore[union-attr]


def test_last_number_fallback_is_configurable() -> None:
    assert extract_answer("adding gives 12 and then 17", "any", last_number_fallback=False) is None


def test_text_after_think_is_what_counts() -> None:
    response = "<think>maybe \\boxed{3}</think> Therefore \\boxed{4}"
    assert extract_answer(response, "any", True).answer == "4"  # type: ignore[union-attr]
    # The answer only inside the reasoning does not count.
    assert extract_answer("<think>it is \\boxed{3}</think> I am not sure.", "boxed", True) is None


def test_unterminated_think_block_has_no_answer() -> None:
    assert final_segment("<think>long reasoning \\boxed{3}") is None
    assert extract_answer("<think>long reasoning \\boxed{3}", "any", True) is None


def test_unbalanced_box_is_not_an_answer() -> None:
    assert last_boxed("\\boxed{\\frac{1}{2}") is None


def test_empty_box_is_no_answer() -> None:
    assert extract_answer("\\boxed{}", "any", True) is None


def test_ground_truth_given_as_worked_solution() -> None:
    assert reference_answer("so $x = \\boxed{1,-2}$.") == "1,-2"
    assert reference_answer("\\frac{1}{2}") == "\\frac{1}{2}"
