"""Find the final answer in a model's completion, without parsing it.

Cheap string work only (runs in the API process for every item, before dedupe).
Order: the text after ``</think>``; inside it the last ``<answer>`` block if any;
then the last ``\\boxed{}``/``\\fbox{}`` (adjacent boxes such as ``\\boxed{1}, \\boxed{2}``
form one list answer); an "answer is ..." phrase that comes after the last box; and,
when the fallback is on, the last formula or else the last number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from reward_service.verifiers.scan import BraceMatcher, Span, math_span_at, math_spans, tagged_blocks
from reward_service.verifiers.think import final_segment

ExtractionMethod = Literal["boxed", "answer_tag", "answer_phrase", "last_formula", "last_number"]

_BOX_COMMAND_RE = re.compile(r"\\(?:boxed|fbox)(?![a-zA-Z])")
_BARE_TOKEN_RE = re.compile(r" +([^\s${}.,]+)")
# What may stand between two boxes that together state one answer.
_BOX_GLUE_RE = re.compile(r"(?:\s|[,;&$]|\\[\[\]()]|\\q?quad|\\text\{ *(?:and|or|,)? *\}|\band\b|\bor\b|\\[,;: !])*")
# Glue longer than this is prose between two separate answers, not a list.
_BOX_GLUE_MAX_CHARS = 64
_ANSWER_OPEN_RE = re.compile(r"<answer>", re.IGNORECASE)
_ANSWER_CLOSE_RE = re.compile(r"</answer>", re.IGNORECASE)
# Bounded gaps ({0,8}) keep a run of whitespace from being rescanned at every start.
_ANSWER_PHRASE_RE = re.compile(
    r"\b(?:final\s{1,8}answer|the\s{1,8}answer|answer)\b\s{0,8}(?:is\b|:|=)[ \t]{0,8}:?[ \t]*", re.IGNORECASE
)
_NUMBER_RE = re.compile(
    r"(?<![\w.])[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[ \t]{0,3}/[ \t]{0,3}\d+)?(?:\s?\\?%)?(?![\w])"
)
_PHRASE_MAX_CHARS = 200
_WHOLE_ANSWER_MAX_CHARS = 80
# A word of prose (not a LaTeX command such as \\frac).
_PROSE_WORD_RE = re.compile(r"(?<![\\a-zA-Z])[a-zA-Z]{3,}")


@dataclass(frozen=True)
class Extraction:
    answer: str
    method: ExtractionMethod


def _boxes(text: str) -> list[tuple[int, int, str]]:
    """Every complete box in ``text`` as (start, end, content)."""
    found = []
    braces = BraceMatcher(text)
    for command in _BOX_COMMAND_RE.finditer(text):
        i = command.end()
        while i < len(text) and text[i] in " \t":
            i += 1
        if i < len(text) and text[i] == "{":
            close = braces.close(i)
            if close is not None:
                found.append((command.start(), close + 1, text[i + 1 : close]))
            continue
        # `\boxed 5` (no braces) is valid TeX for a single token.
        token = _BARE_TOKEN_RE.match(text, command.end())
        if token:
            found.append((command.start(), token.end(), token.group(1)))
    return found


def _glued(text: str, start: int, stop: int) -> bool:
    """Whether only list glue ("," "and" "\\quad" ...) stands between two boxes."""
    return stop - start <= _BOX_GLUE_MAX_CHARS and _BOX_GLUE_RE.fullmatch(text, start, stop) is not None


def last_boxed(text: str) -> tuple[str, int] | None:
    """The last boxed answer and where it ends; adjacent boxes are joined as a list."""
    boxes = _boxes(text)
    if not boxes:
        return None
    start, end, content = boxes[-1]
    parts = [content.strip()]
    for previous in reversed(boxes[:-1]):
        if previous[1] > start or not _glued(text, previous[1], start):
            break
        parts.append(previous[2].strip())
        start = previous[0]
    return ", ".join(reversed(parts)), end


def _content(text: str, span: Span) -> str:
    return text[span.start : span.stop].strip()


def _strip_math_delimiters(text: str) -> str:
    text = text.strip()
    span = next(math_spans(text), None)
    return _content(text, span) if span else text


def _answer_phrase(text: str, after: int) -> str | None:
    """The value stated by the last "answer is ..." phrase that starts at or after ``after``."""
    last = None
    for match in _ANSWER_PHRASE_RE.finditer(text, after):
        last = match
    if last is None:
        return None
    rest = text[last.end() : last.end() + _PHRASE_MAX_CHARS * 2].lstrip()
    span = math_span_at(rest, 0)
    if span:
        return _content(rest, span)
    line = rest.split("\n", 1)[0]
    # A sentence ends at ". " or at the end of the line; "3.5" is not an end.
    line = re.split(r"\.(?:\s|$)", line, maxsplit=1)[0].strip().strip("*").strip()
    # "Final Answer: The largest $n$ is 34" states its value after the last "is".
    tail = re.split(r"\s(?:is|are|equals|was)\s", line)[-1].strip()
    if not tail or len(tail) > _PHRASE_MAX_CHARS:
        return None
    return _strip_math_delimiters(tail)


def last_formula(text: str) -> tuple[str, int] | None:
    """The content of the last ``$...$``/``\\(...\\)``/``\\[...\\]`` span and where it ends."""
    found = None
    for span in math_spans(text):
        content = _content(text, span)
        if content:
            found = (content, span.end)
    return found


def _is_bare_formula(text: str) -> bool:
    """A completion that is nothing but the answer, written without delimiters."""
    return 0 < len(text) <= _WHOLE_ANSWER_MAX_CHARS and "\n" not in text and not _PROSE_WORD_RE.search(text)


def last_number(text: str) -> tuple[str, int] | None:
    """The last number in prose (with a percent sign if it has one) and where it ends."""
    found = None
    for match in _NUMBER_RE.finditer(text):
        if match.group(0).strip("-−%\\ "):
            found = (match.group(0).replace("−", "-").replace(" ", ""), match.end())
    return found


def extract_answer(
    response: str,
    mode: Literal["boxed", "any"],
    last_number_fallback: bool,
) -> Extraction | None:
    """The answer the response commits to, or None when it commits to none."""
    segment = final_segment(response)
    if segment is None:
        return None
    tags = tagged_blocks(segment, _ANSWER_OPEN_RE, _ANSWER_CLOSE_RE)
    if tags:
        segment = segment[tags[-1].start : tags[-1].stop]
    boxed = last_boxed(segment)
    if mode == "any":
        phrase = _answer_phrase(segment, boxed[1] if boxed else 0)
        if phrase:
            return Extraction(phrase, "answer_phrase")
    if boxed is not None:
        return Extraction(boxed[0], "boxed") if boxed[0] else None
    if tags:
        content = _strip_math_delimiters(segment)
        return Extraction(content, "answer_tag") if content else None
    if mode == "boxed" or not last_number_fallback:
        return None
    formula = last_formula(segment)
    if formula is None and _is_bare_formula(segment.strip()):
        return Extraction(segment.strip().rstrip("."), "last_formula")
    # Whichever comes last: the closing formula, or a number stated in prose after it.
    number = last_number(segment)
    if number is not None and (formula is None or number[1] > formula[1]):
        return Extraction(number[0], "last_number")
    if formula is not None:
        return Extraction(formula[0], "last_formula")
    return None


def reference_answer(ground_truth: str) -> str:
    """The answer inside a ground truth that is a whole worked solution, else it as given."""
    boxed = last_boxed(ground_truth)
    return boxed[0] if boxed else ground_truth
