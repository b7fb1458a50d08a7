"""Language shares on texts written for the purpose: pure, mixed half and half, and full of math and code."""

from __future__ import annotations

import pytest

from reward_service.verifiers.language import language_shares, reasoning_text
from reward_service.verifiers.language.detector import detector_for

ENGLISH = [
    "First we need to find how many apples are left after the market closes for the day.",
    "The farmer started with a full basket and sold some of them to every customer who came by.",
    "If we subtract the apples that were sold from the starting amount we get the remaining apples.",
    "Finally we check that the remaining amount is positive, so the answer makes sense.",
]
CHINESE = [
    "首先我们需要求出市场关门以后还剩下多少个苹果。",
    "农民一开始有满满一篮子苹果，然后卖给了每一位来买的顾客。",
    "如果我们从开始的数量里减去卖掉的苹果，就能得到剩下的苹果。",
    "最后我们检查剩下的数量是正数，所以这个答案是合理的。",
]
RUSSIAN = [  # as many words per sentence as the English ones: half and half by words
    "Сначала нам нужно найти, сколько яблок у него осталось после того, как рынок закрылся в этот день.",
    "Фермер начал день с полной корзиной яблок и продал часть из них каждому покупателю, который к нему подошёл.",
    "Если мы вычтем все проданные яблоки из начального количества, то мы получим точное число оставшихся яблок.",
    "Наконец, мы проверяем, что остаток яблок положительный, а значит этот ответ разумный.",
]
FRENCH = [
    "Ensuite, nous vérifions chaque racine dans l'équation de départ pour être sûrs du résultat final.",
    "Les deux racines sont valables et la réponse est donc correcte pour ce problème de géométrie.",
]


def share(text: str, target: str = "en") -> float | None:
    return language_shares([text], target)[0].share


def interleave(first: list[str], second: list[str]) -> str:
    return " ".join(sentence for pair in zip(first, second, strict=False) for sentence in pair)


def test_pure_texts_are_all_their_language() -> None:
    assert share(" ".join(ENGLISH)) == 1.0
    assert share("".join(CHINESE), "zh") == 1.0
    assert share(" ".join(RUSSIAN), "ru") == 1.0
    assert share("".join(CHINESE), "en") == 0.0
    assert share(" ".join(RUSSIAN), "en") == 0.0


@pytest.mark.parametrize("other", [CHINESE, RUSSIAN], ids=["chinese", "russian"])
def test_half_and_half_scores_near_one_half(other: list[str]) -> None:
    # lingua alone folds a Chinese sentence inside English into the English segment;
    # counting by script must not.
    value = share(interleave(ENGLISH, other))
    assert value is not None and 0.4 <= value <= 0.6


def test_a_single_foreign_sentence_costs_its_share() -> None:
    value = share(" ".join(ENGLISH[:3]) + " " + CHINESE[3] + " " + ENGLISH[3])
    assert value is not None and 0.65 <= value <= 0.85


def test_same_script_languages_are_told_apart_by_sentence() -> None:
    value = share(" ".join(ENGLISH[:2] + FRENCH))
    assert value is not None and 0.4 <= value <= 0.6


def test_latex_numbers_and_code_count_for_no_language() -> None:
    text = (
        ENGLISH[0]
        + " We have $\\frac{3}{4} \\cdot 120 = 90$ and \\(x^2 + 2x = 15\\), so\n"
        + "\\[\n\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}\n\\]\n"
        + "\\begin{align}\n a &= 12 \\\\\n b &= 7\n\\end{align}\n"
        + "```python\n# 计算剩下的苹果 / считаем остаток\nremaining = total - sold\nprint(remaining)\n```\n"
        + ENGLISH[1]
        + " Then 120 - 30 = 90 and x + y = 10 hold. "
        + ENGLISH[2]
    )
    assert share(text) == 1.0


def test_only_the_reasoning_counts() -> None:
    response = "<think>" + " ".join(ENGLISH) + "</think>" + "".join(CHINESE) + " \\boxed{90}"
    assert share(response) == 1.0
    # The opening tag may sit in the prompt; an unterminated block is all reasoning.
    assert reasoning_text("reasoning here</think>answer") == "reasoning here"
    assert reasoning_text("<think>still thinking") == "still thinking"
    assert reasoning_text("no tags at all") == "no tags at all"


def test_japanese_counts_kana_and_its_kanji_as_japanese() -> None:
    result = language_shares(["これは簡単な計算です。次に答えを確かめます。"], "ja")[0]
    assert result.share == 1.0


def test_no_words_has_no_share() -> None:
    result = language_shares(["$$x^2 = 4$$, $x = 2$. 42 \\boxed{2}", ""], "en")
    assert [r.share for r in result] == [None, None]


def test_word_counts_are_reported_per_language() -> None:
    result = language_shares([interleave(ENGLISH, CHINESE)], "en")[0]
    assert set(result.words) == {"en", "zh"}
    assert result.details()["language_share"] == round(result.share or 0, 4)


def test_the_detector_is_built_once_per_process_and_target() -> None:
    assert detector_for("en") is detector_for("en")
