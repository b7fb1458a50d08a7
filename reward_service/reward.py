"""The composite reward: accuracy, format, language and length terms, weighted from the request's options.

Without shaping options the score is the verifiable reward alone, as it always was.
With any of them, every term is reported in ``details["terms"]`` and the score is
their sum: ``accuracy_weight * reward + format + language - length penalty``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from reward_service.schemas.scoring import CodeItem, LanguageRewardOptions, LengthPenaltyOptions, MathItem, ScoreOptions
from reward_service.verifiers.format import r1_format_ok
from reward_service.verifiers.language import LanguageShare, language_shares


def shaping_requested(options: ScoreOptions) -> bool:
    return (
        options.format is not None
        or options.language is not None
        or options.length_penalty is not None
        or options.accuracy_weight != 1.0
    )


def length_penalty(response: str, options: LengthPenaltyOptions) -> float:
    """0 up to `target`, `weight` from `limit` on, and a linear or half-cosine rise in between."""
    length = len(response) if options.unit == "chars" else len(response.split())
    if length <= options.target:
        return 0.0
    progress = min(1.0, (length - options.target) / (options.limit - options.target))
    rise = progress if options.shape == "linear" else (1.0 - math.cos(math.pi * progress)) / 2.0
    return options.weight * rise


def reasoning_languages(
    items: Sequence[MathItem | CodeItem], options: LanguageRewardOptions | None
) -> list[LanguageShare | str | None]:
    """Per item: its LanguageShare, None when no language was asked for, or the reason it failed.

    One call for the whole batch, so lingua can spread the detection over all cores.
    """
    if options is None:
        return [None] * len(items)
    try:
        return list(language_shares([item.response for item in items], options.target))
    except Exception as exc:  # reported on every item; a shaped score without its term is null, never guessed
        return [f"language detection failed: {type(exc).__name__}: {exc}"] * len(items)


def composite_reward(
    response: str,
    reward: float | None,
    options: ScoreOptions,
    language: LanguageShare | str | None,
    details: dict[str, Any],
) -> float | None:
    """The item's score. `reward` is the verifier's (None: undecided); `details` receives the terms."""
    if isinstance(language, LanguageShare):
        details.update(language.details())
    elif isinstance(language, str):
        details["language_error"] = language
    if reward is None:
        return None
    if not shaping_requested(options):
        return reward
    terms: dict[str, float] = {"accuracy": options.accuracy_weight * reward}
    if options.format is not None:
        terms["format"] = options.format.weight if r1_format_ok(response, options.format.require_answer_tags) else 0.0
    if options.language is not None:
        if not isinstance(language, LanguageShare):
            if options.language.weight > 0:
                return None
            terms["language"] = 0.0
        else:
            # A reasoning without a single word has no language to be consistent in: no bonus.
            terms["language"] = options.language.weight * (language.share or 0.0)
    if options.length_penalty is not None:
        terms["length"] = -length_penalty(response, options.length_penalty)
    details["terms"] = terms
    return sum(terms.values())
