"""Cheap, exact decisions that need no SymPy: identical strings and plain integers.

These run in the API process before anything is dispatched, so they must be
conservative: they only decide when the answer is certain, and otherwise return
None to send the pair to the full verifier.
"""

from __future__ import annotations

import re

# Pure layout commands: removing them never changes a value.
_LAYOUT_RE = re.compile(r"\\(?:left|right|displaystyle|textstyle)(?![a-zA-Z])|\\[!,;: ]|\$")
_FRAC_VARIANTS_RE = re.compile(r"\\[dt]frac")
_WHITESPACE_RE = re.compile(r"\s+")
_INTEGER_RE = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)")


def normalize_answer(text: str) -> str:
    """A canonical spelling used for dedupe keys and the identical-string path."""
    text = text.replace("{,}", ",")
    text = _LAYOUT_RE.sub("", text)
    text = _FRAC_VARIANTS_RE.sub(r"\\frac", text)
    text = _WHITESPACE_RE.sub("", text)
    return text.rstrip(".")


def _plain_integer(text: str) -> str | None:
    """A plain integer's canonical digits (sign, no leading zeros), compared as text:
    int() refuses more than 4,300 digits, and an answer may have any number."""
    if not _INTEGER_RE.fullmatch(text):
        return None
    digits = text.lstrip("+-").replace(",", "").lstrip("0") or "0"
    return digits if digits == "0" or not text.startswith("-") else "-" + digits


def quick_verdict(answer: str, gold: str) -> bool | None:
    """True/False when the normalized strings settle it, else None.

    Both arguments must already be normalized with :func:`normalize_answer`.
    """
    if answer == gold and answer:
        return True
    gold_int = _plain_integer(gold)
    answer_int = _plain_integer(answer)
    if gold_int is not None and answer_int is not None:
        return gold_int == answer_int
    return None
