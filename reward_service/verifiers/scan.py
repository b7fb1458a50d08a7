"""Linear-time scanners for the delimited spans answer extraction looks for.

Completions are untrusted and often degenerate (a model stuck repeating "\\boxed{"
or "$" for 200 KB). A lazy regular expression such as ``\\$(.+?)\\$`` retries from
every unclosed opener to the end of the text, which is quadratic; and the ``re``
module holds the interpreter lock for the whole match, so one such rollout
stalls every request the process serves. Each scanner here looks every closer up
at most once per position (``_NextFinder`` remembers the last answer), so the
work is linear in the text.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass


class _NextFinder:
    """``text.find(needle, start)`` for non-decreasing starts, in linear total time."""

    def __init__(self, text: str, needle: str) -> None:
        self._text = text
        self._needle = needle
        self._found = -2  # last answer; -2: nothing asked yet

    def find(self, start: int) -> int:
        if self._found == -1 or (self._found >= start):
            return self._found
        self._found = self._text.find(self._needle, start)
        return self._found


# A brace, or a backslash escaping a brace or a backslash (``\\{`` is a literal brace,
# ``\\\\{`` a backslash and then a real one): all that brace matching has to see.
_BRACE_TOKEN_RE = re.compile(r"\\[{}\\]|[{}]")


def matching_braces(text: str) -> dict[int, int]:
    """Index of each ``{`` that is closed, mapped to its ``}``, in one pass."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for token in _BRACE_TOKEN_RE.finditer(text):
        brace = token.group()
        if brace == "{":
            stack.append(token.start())
        elif brace == "}" and stack:
            pairs[stack.pop()] = token.start()
    return pairs


class BraceMatcher:
    """Where the group opening at a ``{`` closes, for a few such braces in one text.

    Each question is first answered by scanning forward from its brace, which is
    cheapest for the usual handful of short boxes. Degenerate text (thousands of
    unclosed "\\boxed{") would make those scans quadratic, so once they have seen
    more braces than the text could justify, one pass over the whole text answers
    every later question.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._budget = 256 + len(text) // 16
        self._pairs: dict[int, int] | None = None

    def close(self, brace: int) -> int | None:
        if self._pairs is None:
            depth = 0
            for token in _BRACE_TOKEN_RE.finditer(self._text, brace):
                self._budget -= 1
                if self._budget < 0:
                    break
                if token.group() == "{":
                    depth += 1
                elif token.group() == "}":
                    depth -= 1
                    if depth == 0:
                        return token.start()
            else:
                return None
            self._pairs = matching_braces(self._text)
        return self._pairs.get(brace)


@dataclass(frozen=True)
class Span:
    """A delimited span: its content is ``text[start:stop]``; it ends at ``end``."""

    start: int
    stop: int
    end: int


# Math delimiters in the order a regex alternation would try them at one position.
_MATH_DELIMITERS = (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]"))
_MATH_OPENER_RE = re.compile(r"[$\\]")


def math_spans(text: str, start: int = 0) -> Iterator[Span]:
    """Non-overlapping ``$$..$$``, ``$..$``, ``\\(..\\)`` and ``\\[..\\]`` spans, left
    to right, each with non-empty content and its nearest closer (what
    ``\\$\\$(.+?)\\$\\$|\\$(.+?)\\$|...`` would find)."""
    finders = {closer: _NextFinder(text, closer) for _, closer in _MATH_DELIMITERS}
    pos = start
    while True:
        opener_match = _MATH_OPENER_RE.search(text, pos)
        if opener_match is None:
            return
        i = opener_match.start()
        for opener, closer in _MATH_DELIMITERS:
            if not text.startswith(opener, i):
                continue
            content = i + len(opener)
            close = finders[closer].find(content + 1)
            if close >= 0:
                yield Span(content, close, close + len(closer))
                pos = close + len(closer)
                break
        else:
            pos = i + 1


def math_span_at(text: str, start: int) -> Span | None:
    """The math span that opens exactly at ``start``, if one does."""
    for opener, closer in _MATH_DELIMITERS:
        if text.startswith(opener, start):
            content = start + len(opener)
            close = text.find(closer, content + 1)
            if close >= 0:
                return Span(content, close, close + len(closer))
    return None


def tagged_blocks(text: str, opener_re: re.Pattern[str], closer_re: re.Pattern[str]) -> list[Span]:
    """Non-overlapping ``<tag>...</tag>`` blocks, each closed by the nearest closer
    (what ``<tag>(.*?)</tag>`` finds), found with one pass per pattern."""
    closers = list(closer_re.finditer(text))
    closer_starts = [m.start() for m in closers]
    blocks: list[Span] = []
    pos = 0
    for opener in opener_re.finditer(text):
        if opener.start() < pos:
            continue
        k = bisect_left(closer_starts, opener.end())
        if k == len(closers):
            break
        blocks.append(Span(opener.end(), closers[k].start(), closers[k].end()))
        pos = closers[k].end()
    return blocks


_FENCE_LINE_RE = re.compile(r"[ \t]*(`{3,}|~{3,})[ \t]*([^\n`]*)")
_CLOSING_FENCE_RE = re.compile(r"[ \t]*(`{3,}|~{3,})[ \t]*")


@dataclass(frozen=True)
class Fence:
    info: str
    body: str


def fenced_blocks(text: str) -> list[Fence]:
    """Markdown fenced code blocks: an opening line of three or more backticks or
    tildes with an optional info string, closed by the next line holding the same
    fence alone. An unclosed opener is plain text, so later fences still count."""
    lines = text.split("\n")
    offsets = []
    offset = 0
    for line in lines:
        offsets.append(offset)
        offset += len(line) + 1
    closing_lines: dict[str, list[int]] = {}
    for index, line in enumerate(lines):
        closing = _CLOSING_FENCE_RE.fullmatch(line)
        if closing:
            closing_lines.setdefault(closing.group(1), []).append(index)
    blocks: list[Fence] = []
    index = 0
    # The last line has no newline after it, so it can close a fence but not open one.
    while index < len(lines) - 1:
        opening = _FENCE_LINE_RE.fullmatch(lines[index])
        candidates = closing_lines.get(opening.group(1), []) if opening else []
        k = bisect_left(candidates, index + 1)
        if opening is None or k == len(candidates):
            index += 1
            continue
        close = candidates[k]
        blocks.append(Fence(opening.group(2), text[offsets[index + 1] : offsets[close]]))
        index = close + 1
    return blocks
