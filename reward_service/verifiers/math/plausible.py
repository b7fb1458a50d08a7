"""Answers that cannot be the reference, told apart before any parsing.

Some strings are cheap to write and expensive to read: a few hundred nested
parentheses make math-verify's LaTeX grammar explore exponentially many parses,
``9^{9^{9^9}}`` makes SymPy try to build a number with hundreds of millions of
digits, and an integer over 4,300 digits cannot even be converted. Sent to a
worker, each holds it until the time budget ends and comes back ``timeout`` (a
null reward, which a policy can use to escape a zero). An answer whose length,
nesting, exponent towers or digit runs go far beyond the reference's cannot
be an equivalent way of writing it, so it is `wrong` at once. The margins are
wide: only shapes no honest answer takes are cut.

Runs in the API process on every answer that reaches the full verifier: every
measure is one linear pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# How far beyond the reference an answer may go on each measure.
_LENGTH_FACTOR = 10
_LENGTH_FLOOR = 500
_NESTING_MARGIN = 6
_TOWER_FLOOR = 2
_DIGITS_MARGIN = 100

_DIGIT_RUN_RE = re.compile(r"\d+")
_OPENERS = "([{"
_CLOSERS = ")]}"


@dataclass(frozen=True)
class Shape:
    length: int
    nesting: int  # deepest nesting of (), [] and {} together
    tower: int  # deepest nesting of grouped exponents: 2^{3^{4}} is 2
    digits: int  # longest run of digits

    @classmethod
    def of(cls, text: str) -> Shape:
        text = text.replace("**", "^")
        nesting = depth = 0
        tower = exponents = 0
        # For each open group: whether it is an exponent's (after "^").
        groups: list[bool] = []
        after_caret = False
        for ch in text:
            if ch in _OPENERS:
                depth += 1
                nesting = max(nesting, depth)
                groups.append(after_caret)
                if after_caret:
                    exponents += 1
                    tower = max(tower, exponents)
            elif ch in _CLOSERS:
                depth = max(0, depth - 1)
                if groups and groups.pop():
                    exponents -= 1
            if ch == "^":
                after_caret = True
                tower = max(tower, exponents + 1)
            elif not ch.isspace():
                after_caret = False
        digits = max((len(run) for run in _DIGIT_RUN_RE.findall(text)), default=0)
        return cls(len(text), nesting, tower, digits)


def implausible(answer: str, reference: str) -> str | None:
    """Why ``answer`` cannot be the reference, or None when it might be."""
    a, g = Shape.of(answer), Shape.of(reference)
    if a.length > max(_LENGTH_FLOOR, _LENGTH_FACTOR * g.length):
        return f"answer is {a.length} characters long, far longer than any way of writing the reference"
    if a.nesting > g.nesting + _NESTING_MARGIN:
        return f"answer nests brackets {a.nesting} deep, far deeper than the reference ({g.nesting})"
    if a.tower > max(_TOWER_FLOOR, g.tower):
        return f"answer stacks exponents {a.tower} high, beyond the reference ({g.tower})"
    if a.digits > 2 * g.digits + _DIGITS_MARGIN:
        return f"answer has a run of {a.digits} digits, far more than the reference ({g.digits})"
    return None
