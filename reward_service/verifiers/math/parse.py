"""Turn answer strings into SymPy objects with math-verify (worker side).

Extraction already happened (see extract.py); here each string is wrapped in
``\\boxed{}`` so math-verify reads it whole. math-verify's own SIGALRM timeouts are
off: the worker's time budget and the dispatcher's hard kill bound this code.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any

from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse

from reward_service.exceptions import AnswerNotReadable, GroundTruthError
from reward_service.verifiers.math.units import unit_mismatch

# math-verify warns once that its own timeouts are disabled; that is deliberate here.
logging.getLogger("math_verify").setLevel(logging.ERROR)

EXTRACTION_CONFIG = (
    LatexExtractionConfig(boxed_match_priority=0),
    ExprExtractionConfig(),
)


# latex2sympy silently drops the left operand of a modulo ("x \\bmod 3" parses as 3),
# which would reward any answer ending in "\\bmod <gold>".
_MODULO_RE = re.compile(r"\\(?:bmod|pmod|mod)(?![a-zA-Z])")


def _braces_balanced(text: str) -> bool:
    depth = 0
    escaped = False
    for ch in text:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


# math-verify's LaTeX reader stops at `\\mathrm{e}` and would keep "1 - \\frac{1}{" as
# a string, so two different answers could read as the same truncated text.
_FONT_LETTER_RE = re.compile(r"\\(?:mathrm|mathit|mathbf|mathsf|rm|operatorname)\s*\{\s*([A-Za-z])\s*\}")


def _prepare(text: str) -> str:
    text = text.strip()
    while len(text) >= 2 and text.startswith("$") and text.endswith("$"):
        text = text[1:-1].strip()
    text = _DEFINITION_RE.sub("=", text)
    return _FONT_LETTER_RE.sub(r"\1", text)


# The LaTeX reader keeps only what follows these (`1 \\to 2` reads as 2, a `cases`
# block as its last line, `5, 9, 2, \\ldots` as 2), so an answer that uses one the
# reference does not would be judged on a fragment it never committed to.
_FRAGMENTING_NOTATION = (
    (
        re.compile(
            r"\\(?:to|implies|impliedby|iff|[Rr]ightarrow|[Ll]ongrightarrow|Leftarrow|[Ll]eftrightarrow"
            r"|[Ll]ong[Ll]eftrightarrow|mapsto|longmapsto|sim|simeq|cong|colon|lor|land|vee|wedge)(?![a-zA-Z])"
        ),
        "answer states a relation or an implication where a value is expected",
    ),
    (re.compile(r"\\begin\s*\{\s*cases\s*\}"), "answer is a cases block where a value is expected"),
    (
        re.compile(r"\\(?:ldots|dots|cdots|dotsc|dotsb|vdots)(?![a-zA-Z])|\.\.\."),
        "answer ends in an ellipsis: an open list is not a value",
    ),
)
# A prime mark on a value (feet, arcminutes) is dropped by the parser: `2'` reads as 2.
# On a name it is a derivative (`f'(2) = 4`), which the equation rules judge.
_PRIME_RE = re.compile(r"[\d.})]\s*(?:'|\^\s*\{?\s*\\prime(?![a-zA-Z])\s*\}?)")
# Definitions are equations for grading: `y := 2` is read as `y = 2` (and `7 := 2` as `7 = 2`).
_DEFINITION_RE = re.compile(r":=|\\coloneqq(?![a-zA-Z])")


def check_notation(answer: str, ground_truth: str) -> None:
    """Raise AnswerNotReadable for notation the parser would misread."""
    if _MODULO_RE.search(answer) and not _MODULO_RE.search(ground_truth):
        raise AnswerNotReadable("answer contains a modulo expression, which is not evaluated; give its value")
    for pattern, reason in _FRAGMENTING_NOTATION:
        if pattern.search(answer) and not pattern.search(ground_truth):
            raise AnswerNotReadable(reason)
    if _PRIME_RE.search(answer) and not _PRIME_RE.search(ground_truth):
        raise AnswerNotReadable("answer carries a prime mark (feet, minutes, a derivative) the reference does not")
    mismatch = unit_mismatch(answer, ground_truth)
    if mismatch is not None:
        raise AnswerNotReadable(mismatch)


def parse_answer(answer: str) -> list[Any]:
    """math-verify's parse of one answer string: SymPy objects and/or the raw string."""
    return parse("\\boxed{" + _prepare(answer) + "}", EXTRACTION_CONFIG, parsing_timeout=None)  # type: ignore[arg-type]


@lru_cache(maxsize=4096)
def parse_ground_truth(ground_truth: str) -> tuple[Any, ...]:
    """Parsed reference answer; cached per worker process, so each distinct ground
    truth is parsed once however many rollouts share it."""
    text = _prepare(ground_truth)
    if not text:
        raise GroundTruthError("ground_truth is empty")
    if not _braces_balanced(text):
        raise GroundTruthError(f"ground_truth has unbalanced braces: {ground_truth[:200]!r}")
    parsed = parse_answer(text)
    if not parsed:
        raise GroundTruthError(f"ground_truth could not be parsed: {ground_truth[:200]!r}")
    return tuple(parsed)
