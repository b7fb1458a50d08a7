"""Compare what a program produced with what was expected, on the host side only."""

from __future__ import annotations

import math
import re
import string
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


# How a stdio test's output is compared with the expected one (`tests.compare`).
COMPARISONS = ("lines", "tokens", "tokens_ignore_case")
# testlib's blanks: tokens are separated by these four and nothing else (not a no-break
# space, not \v or \f), and only ASCII letters have a case to ignore (STRASSE is not
# straße, the Kelvin sign is not k), as in its comparators.
_BLANKS_RE = re.compile(r"[ \t\n\r]+")
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _tokens(text: str) -> list[str]:
    return [token for token in _BLANKS_RE.split(text) if token]


def _token_matches(got: str, want: str, tolerance: float | None, ignore_case: bool) -> bool:
    if got == want or (ignore_case and got.translate(_ASCII_LOWER) == want.translate(_ASCII_LOWER)):
        return True
    if tolerance is None:
        return False
    # An expected integer is a count or an index: only the same integer matches it.
    if _INTEGER_RE.fullmatch(want) or not (_DECIMAL_RE.fullmatch(got) and _DECIMAL_RE.fullmatch(want)):
        return False
    x, y = float(got), float(want)
    # As the judges define it: within the tolerance absolutely or relatively.
    return math.isfinite(x) and math.isfinite(y) and math.isclose(x, y, rel_tol=tolerance, abs_tol=tolerance)


def _tokens_match(got: str, want: str, tolerance: float) -> bool:
    got_tokens, want_tokens = _tokens(got), _tokens(want)
    if len(got_tokens) != len(want_tokens):
        return False
    return all(_token_matches(a, b, tolerance, False) for a, b in zip(got_tokens, want_tokens, strict=True))


def output_matches(
    got: str, want: str, compare: str = "lines", float_tolerance: float | None = None
) -> tuple[bool, str | None]:
    """Whether a program's output matches the expected one under ``compare``, and if not, where not.

    `lines`: see `stdout_matches`. `tokens`: the tokens separated by spaces, tabs and line
    breaks, in order, however they are spread over lines (testlib's wcmp). `tokens_ignore_case`:
    the same, ASCII letters compared without case (YES for yes). Numeric tokens within
    ``float_tolerance`` in every mode.
    """
    if compare == "lines":
        return stdout_matches(got, want, float_tolerance)
    ignore_case = compare == "tokens_ignore_case"
    got_tokens, want_tokens = _tokens(got), _tokens(want)
    for number, (a, b) in enumerate(zip(got_tokens, want_tokens, strict=False), start=1):
        if not _token_matches(a, b, float_tolerance, ignore_case):
            return False, f"token {number}: expected {b[:80]!r}, got {a[:80]!r}"
    if len(got_tokens) != len(want_tokens):
        return False, f"expected {len(want_tokens)} tokens, got {len(got_tokens)}"
    return True, None


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
