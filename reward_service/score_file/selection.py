"""Rejection sampling, R1 style: keep correct samples whose reasoning is clean, all of them or the best per group."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from reward_service.score_file.scorers import RESULT_FIELDS
from reward_service.verifiers.language import reasoning_text

CORRECT_STATUSES = frozenset({"correct", "accepted"})
Selection = Literal["correct", "best"]


def is_correct(record: dict[str, Any]) -> bool:
    return record.get("status") in CORRECT_STATUSES


def group_key(record: dict[str, Any], field: str) -> str:
    """The record's group as a string; a record without the field is a group of its own."""
    value = record.get(field)
    if value is None:
        return f"id:{record.get('id')}"
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


@dataclass(frozen=True)
class R1Filters:
    """DeepSeek-R1's rejection-sampling filters; None or False turns one off."""

    min_language_share: float | None = None
    no_code_in_reasoning: bool = False
    max_paragraph_chars: int | None = None

    def rejects(self, record: dict[str, Any]) -> str | None:
        """Why a correct record is dropped (the first filter it fails), or None when it is kept."""
        if self.min_language_share is not None:
            share = record.get("details", {}).get("language_share")
            if share is None or share < self.min_language_share:
                return "language_share"
        if self.no_code_in_reasoning or self.max_paragraph_chars is not None:
            reasoning = reasoning_text(str(record.get("response", "")))
            if self.no_code_in_reasoning and "```" in reasoning:
                return "code_in_reasoning"
            if self.max_paragraph_chars is not None:
                longest = max((len(p.strip()) for p in reasoning.split("\n\n")), default=0)
                if longest > self.max_paragraph_chars:
                    return "long_paragraph"
        return None


def rank(record: dict[str, Any]) -> tuple[float, int]:
    """Best first: the higher score, then the shorter response."""
    return (float(record.get("score") or 0.0), -len(str(record.get("response", ""))))


def sft_record(record: dict[str, Any]) -> dict[str, Any]:
    """The line as the user wrote it: the scoring fields removed."""
    return {key: value for key, value in record.items() if key not in RESULT_FIELDS}
