"""The composite reward: each term, its weight, and the defaults that keep the plain verifiable reward."""

from __future__ import annotations

import math
from typing import Any

import pytest
from fastapi.testclient import TestClient

from reward_service.reward import composite_reward, length_penalty
from reward_service.schemas.scoring import LengthPenaltyOptions, ScoreOptions
from reward_service.verifiers.language import LanguageShare
from tests.conftest import math_item, score

THINK = "<think>We add two and two to get four.</think> The answer is $\\boxed{4}$."


def shaped(
    options: dict[str, Any], reward: float | None = 1.0, response: str = THINK, language: Any = None
) -> tuple[float | None, dict[str, Any]]:
    details: dict[str, Any] = {}
    value = composite_reward(response, reward, ScoreOptions.model_validate(options), language, details)
    return value, details


def test_defaults_are_the_plain_verifiable_reward() -> None:
    assert shaped({}) == (1.0, {})
    assert shaped({}, reward=0.0) == (0.0, {})


def test_every_requested_term_is_reported_and_summed() -> None:
    options = {
        "accuracy_weight": 2.0,
        "format": {"weight": 0.5},
        "language": {"target": "en", "weight": 0.2},
        "length_penalty": {"target": 10, "limit": 20, "weight": 0.3, "shape": "linear"},
    }
    value, details = shaped(options, language=LanguageShare(0.75, {"en": 3, "zh": 1}))
    assert details["terms"] == pytest.approx({"accuracy": 2.0, "format": 0.5, "language": 0.15, "length": -0.3})
    assert value == pytest.approx(sum(details["terms"].values()))
    assert details["language_share"] == 0.75


def test_format_term_needs_the_think_block() -> None:
    assert shaped({"format": {"weight": 0.5}}, response="no think block, \\boxed{4}")[1]["terms"]["format"] == 0.0
    assert shaped({"format": {"weight": 0.5}})[0] == 1.5


def test_language_term_is_weight_times_share() -> None:
    value, details = shaped({"language": {"target": "en", "weight": 0.5}}, language=LanguageShare(0.5, {}))
    assert value == 1.25 and details["terms"]["language"] == 0.25
    # Weight 0 reports the share and leaves the score alone.
    assert shaped({"language": {"target": "en"}}, language=LanguageShare(0.5, {}))[0] == 1.0
    # No words in the reasoning: no bonus.
    assert shaped({"language": {"target": "en", "weight": 0.5}}, language=LanguageShare(None, {}))[0] == 1.0


def test_a_failed_language_term_makes_a_weighted_score_null_not_a_guess() -> None:
    value, details = shaped({"language": {"target": "en", "weight": 0.5}}, language="language detection failed: boom")
    assert value is None and details["language_error"].endswith("boom")
    assert shaped({"language": {"target": "en", "weight": 0.0}}, language="failed")[0] == 1.0


def test_an_undecided_verdict_stays_null_whatever_the_terms() -> None:
    assert shaped({"format": {"weight": 0.5}}, reward=None)[0] is None


@pytest.mark.parametrize(
    ("length", "shape", "expected"),
    [
        (100, "linear", 0.0),
        (150, "linear", 0.5),
        (200, "linear", 1.0),
        (10_000, "linear", 1.0),
        (125, "cosine", (1 - math.cos(math.pi / 4)) / 2),
        (150, "cosine", 0.5),
        (200, "cosine", 1.0),
    ],
)
def test_length_penalty_ramps_from_target_to_limit(length: int, shape: str, expected: float) -> None:
    options = LengthPenaltyOptions(target=100, limit=200, weight=1.0, shape=shape)  # type: ignore[arg-type]
    assert length_penalty("x" * length, options) == pytest.approx(expected)


def test_length_penalty_in_words() -> None:
    options = LengthPenaltyOptions(target=2, limit=4, weight=1.0, unit="words", shape="linear")
    assert length_penalty("one two three", options) == pytest.approx(0.5)


def test_api_reports_language_share_and_adds_the_weighted_term(client: TestClient) -> None:
    items = [
        math_item("en", "<think>We add two and two, which gives four in total.</think> $\\boxed{4}$", "4"),
        math_item("zh", "<think>我们把二和二加起来，一共得到四。</think> $\\boxed{4}$", "4"),
    ]
    en, zh = score(client, items, {"language": {"target": "en", "weight": 0.5}})
    assert en["details"]["language_share"] == 1.0 and en["score"] == 1.5
    assert zh["details"]["language_share"] == 0.0 and zh["score"] == 1.0
    assert zh["details"]["terms"] == {"accuracy": 1.0, "language": 0.0}
    plain = score(client, items[:1])[0]
    assert plain["score"] == 1.0 and "terms" not in plain["details"] and "language_share" not in plain["details"]


def test_api_rejects_an_unknown_language_code_naming_it(client: TestClient) -> None:
    body = {"items": [math_item("a", "\\boxed{1}", "1")], "options": {"language": {"target": "xx", "weight": 1}}}
    response = client.post("/score", json=body)
    assert response.status_code == 422
    assert "'xx'" in response.text and "language" in response.text


def test_api_rejects_a_length_limit_below_its_target(client: TestClient) -> None:
    body = {"items": [math_item("a", "\\boxed{1}", "1")], "options": {"length_penalty": {"target": 10, "limit": 5}}}
    assert client.post("/score", json=body).status_code == 422
