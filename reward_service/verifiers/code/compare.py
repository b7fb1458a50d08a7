"""Compare what a program produced with what was expected, on the host side only."""

from __future__ import annotations

import math
import re
from typing import Any

# ASCII numerals only, as judges read them: float() would also take "1_0", "inf",
# Arabic-Indic or fullwidth digits, and read each as a number.
_INTEGER_RE = re.compile(r"[+-]?[0-9]+")
_DECIMAL_RE = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _lines(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _tokens_match(got: str, want: str, tolerance: float) -> bool:
    got_tokens, want_tokens = got.split(), want.split()
    if len(got_tokens) != len(want_tokens):
        return False
    for a, b in zip(got_tokens, want_tokens, strict=False):
        if a == b:
            continue
        # An expected integer is a count or an index: only the same integer matches it.
        if _INTEGER_RE.fullmatch(b) or not (_DECIMAL_RE.fullmatch(a) and _DECIMAL_RE.fullmatch(b)):
            return False
        x, y = float(a), float(b)
        if not (math.isfinite(x) and math.isfinite(y)) or not math.isclose(x, y, rel_tol=tolerance, abs_tol=tolerance):
            return False
    return True


def stdout_matches(got: str, want: str, float_tolerance: float | None = None) -> tuple[bool, str | None]:
    """Line by line, trailing whitespace and trailing blank lines ignored, every line counted.

    Returns whether they match and, if not, where they first differ (for details).
    """
    got_lines, want_lines = _lines(got), _lines(want)
    for number, (a, b) in enumerate(zip(got_lines, want_lines, strict=False), start=1):
        same = a == b or (float_tolerance is not None and _tokens_match(a, b, float_tolerance))
        if not same:
            return False, f"line {number}: expected {b[:80]!r}, got {a[:80]!r}"
    if len(got_lines) != len(want_lines):
        return False, f"expected {len(want_lines)} lines, got {len(got_lines)}"
    return True, None


def values_equal(got: Any, want: Any, float_tolerance: float = 1e-9) -> bool:
    """JSON values: exact for strings, ints and bools, close for floats, recursive for containers."""
    if isinstance(want, bool) or isinstance(got, bool):
        return type(got) is type(want) and got == want
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        if isinstance(want, int):
            # An expected integer is met only exactly: 5.0 for 5, never float(10**12 + 8) for 10**12 + 7.
            return got == want
        if not (math.isfinite(got) and math.isfinite(want)):
            return got == want
        return math.isclose(got, want, rel_tol=float_tolerance, abs_tol=float_tolerance)
    if isinstance(want, list) and isinstance(got, list):
        return len(got) == len(want) and all(
            values_equal(a, b, float_tolerance) for a, b in zip(got, want, strict=False)
        )
    if isinstance(want, dict) and isinstance(got, dict):
        return got.keys() == want.keys() and all(values_equal(got[k], want[k], float_tolerance) for k in want)
    return type(got) is type(want) and got == want
