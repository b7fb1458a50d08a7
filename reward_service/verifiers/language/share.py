"""Language shares for a batch of responses: the fraction of reasoning words in the target language."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

import jieba

from reward_service.verifiers.language.codes import code_of
from reward_service.verifiers.language.detector import detector_for
from reward_service.verifiers.language.text import (
    DETECTED_SCRIPTS,
    MIN_CHUNK_WORDS,
    SCRIPT_LANGUAGE,
    Segment,
    prose,
    reasoning_text,
    segments,
)

UNKNOWN = "?"
# lingua holds the GIL for a whole call: slices keep each call to a few milliseconds,
# so the event loop of the API process still gets its turns between them.
_DETECT_SLICE = 32

jieba.setLogLevel(logging.WARNING)


@dataclass(frozen=True)
class LanguageShare:
    """`share` is None when the reasoning has no words at all (only math, code or nothing)."""

    share: float | None
    words: dict[str, int] = field(default_factory=dict)

    def details(self) -> dict[str, object]:
        return {
            "language_share": None if self.share is None else round(self.share, 4),
            "language_words": self.words,
        }


@cache
def _chinese_words(run: str) -> int:
    # Chinese has no spaces: count the words of a segmenter, not characters (a
    # two-character word would otherwise weigh double against an English word).
    return sum(1 for token in jieba.cut(run) if token.strip())


@dataclass
class _Item:
    fixed: Counter[str] = field(default_factory=Counter)
    # (words, index into the batch's detection queries)
    detected: list[tuple[int, int]] = field(default_factory=list)


def _plan(segs: list[Segment], queries: list[str]) -> _Item:
    item = _Item()
    kana_sentences = {s.sentence for s in segs if s.script == "Kana"}
    chunks = [(i, s) for i, s in enumerate(segs) if s.script in DETECTED_SCRIPTS]
    for seg in segs:
        if seg.script == "Han":
            item.fixed["ja" if seg.sentence in kana_sentences else "zh"] += _chinese_words(seg.words[0])
        elif seg.script == "Kana":
            item.fixed["ja"] += len(seg.words[0])
        elif seg.script in SCRIPT_LANGUAGE:
            item.fixed[SCRIPT_LANGUAGE[seg.script]] += len(seg.words)
        elif seg.script not in DETECTED_SCRIPTS:
            item.fixed[UNKNOWN] += len(seg.words)
    for script in DETECTED_SCRIPTS:
        mine = [(i, s) for i, s in chunks if s.script == script]
        long = [(i, s) for i, s in mine if len(s.words) >= MIN_CHUNK_WORDS]
        if not long:
            if mine:
                # Only short chunks: judged together, since one three-word chunk is too little to go on.
                queries.append(" ".join(" ".join(s.words) for _, s in mine))
                item.detected.append((sum(len(s.words) for _, s in mine), len(queries) - 1))
            continue
        query_of: dict[int, int] = {}
        for i, seg in long:
            queries.append(" ".join(seg.words))
            query_of[i] = len(queries) - 1
        for i, seg in mine:
            # A short chunk takes the language of the nearest long one in the same script.
            nearest = min(query_of, key=lambda j: abs(j - i))
            item.detected.append((len(seg.words), query_of[nearest]))
    return item


def language_shares(responses: Sequence[str], target: str) -> list[LanguageShare]:
    """The share of each response's reasoning words in `target` (an ISO 639-1 code), in order."""
    detector = detector_for(target)
    queries: list[str] = []
    items = [_plan(segments(prose(reasoning_text(response))), queries) for response in responses]
    found: list[str] = []
    for start in range(0, len(queries), _DETECT_SLICE):
        languages = detector.detect_languages_in_parallel_of(queries[start : start + _DETECT_SLICE])
        found.extend(UNKNOWN if lang is None else code_of(lang) for lang in languages)
    shares = []
    for item in items:
        words = Counter(item.fixed)
        for count, query in item.detected:
            words[found[query]] += count
        total = sum(words.values())
        share = words[target] / total if total else None
        shares.append(LanguageShare(share, dict(words.most_common())))
    return shares
