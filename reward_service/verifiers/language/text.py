"""From a response to the words whose language counts.

Only the reasoning counts (inside ``<think>``, else the whole response), and of it
only prose: code, LaTeX, formulas and numbers belong to no language. Words are
then grouped by script, because the script alone settles most of the question
(Han, kana, Hangul, Greek, ...) and lingua is needed only to tell apart the
languages that share one (Latin, Cyrillic, Arabic, Devanagari).
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from reward_service.verifiers.think import THINK_CLOSE, THINK_OPEN

# Scripts that several candidate languages share: their words go to lingua in chunks.
DETECTED_SCRIPTS = ("Latin", "Cyrillic", "Arabic", "Devanagari")
# Scripts that name their language; Han is Chinese unless its sentence has kana (then Japanese).
SCRIPT_LANGUAGE = {
    "Han": "zh",
    "Kana": "ja",
    "Hangul": "ko",
    "Greek": "el",
    "Hebrew": "he",
    "Thai": "th",
    "Armenian": "hy",
    "Georgian": "ka",
    "Bengali": "bn",
    "Gujarati": "gu",
    "Gurmukhi": "pa",
    "Tamil": "ta",
    "Telugu": "te",
}

# lingua is reliable on a sentence from about ten words on and unreliable on the
# three-word sentences chains of thought are full of ("Next, we divide."): those
# take the language of the nearest long sentence in the same script (share.py).
MIN_CHUNK_WORDS = 10

_BLOCKS = regex.compile(
    r"```.*?(?:```|\Z)"  # fenced code, an unterminated fence runs to the end
    r"|~~~.*?(?:~~~|\Z)"
    r"|`[^`\n]*`"
    r"|\$\$.*?\$\$"
    r"|\\\[.*?\\\]"
    r"|\\\(.*?\\\)"
    r"|\\begin\{([^}]*)\}.*?\\end\{\1\}"
    r"|(?<!\\)\$(?:[^$\n]|\n(?!\n))*?\$",  # inline math never spans a blank line (a lone $ is currency)
    regex.DOTALL,
)
_OPERAND = r"(?:(?<![\p{L}\p{N}])[\p{L}\p{N}.]{1,3}(?![\p{L}\p{N}])(?:\([^()\n]{0,40}\))?|\([^()\n]{0,40}\))"
# Plain-text formulas outside LaTeX: short operands joined by operators ("x + y = 10", "f(x) = x^2").
_FORMULA = regex.compile(rf"{_OPERAND}(?:\s*(?:[=+*/^<>≤≥≠×÷±·−]|\s-\s)\s*{_OPERAND})+")
_SYMBOLS = regex.compile(r"\\[A-Za-z]+\*?|[\p{L}\p{N}_]*\p{N}[\p{L}\p{N}_]*")


def _letters(script: str) -> str:
    return rf"\p{{{script}}}[\p{{{script}}}\p{{M}}]*"


_WORD_SCRIPTS = (*DETECTED_SCRIPTS, *(s for s in SCRIPT_LANGUAGE if s not in ("Han", "Kana", "Hangul")))
_TOKEN = regex.compile(
    r"(?P<Han>\p{Han}+)"
    r"|(?P<Kana>[\p{Hiragana}\p{Katakana}\u30fc]+)"
    r"|(?P<Hangul>\p{Hangul}+)"
    + "".join(rf"|(?P<{s}>{_letters(s)}(?:['’]{_letters(s)})*)" for s in _WORD_SCRIPTS)
    + r"|(?P<Other>\p{L}[\p{L}\p{M}]*)"
    r"|(?P<stop>[.!?;:\n。！？；：]+)"
)


def reasoning_text(response: str) -> str:
    """The chain of thought: inside <think>...</think> (the opening tag may sit in the prompt), else everything."""
    head, closed, _ = response.partition(THINK_CLOSE)
    if closed:
        start = head.rfind(THINK_OPEN)
        return head[start + len(THINK_OPEN) :] if start >= 0 else head
    start = response.find(THINK_OPEN)
    return response[start + len(THINK_OPEN) :] if start >= 0 else response  # unterminated: all of it is reasoning


def prose(text: str) -> str:
    """The text without code, LaTeX, plain formulas and numbers, which count for no language."""
    text = _BLOCKS.sub(" ", text)
    text = _FORMULA.sub(" ", text)
    return _SYMBOLS.sub(" ", text)


@dataclass(frozen=True)
class Segment:
    """Consecutive words of one script within one sentence; `sentence` numbers that sentence."""

    script: str
    words: tuple[str, ...]
    sentence: int


def segments(text: str) -> list[Segment]:
    """Split prose into segments: each CJK or Other run alone, and per sentence the words of each detected script."""
    found: list[Segment] = []
    chunk: list[str] = []
    chunk_script = ""
    chunk_sentence = 0
    sentence = 0

    def close() -> None:
        nonlocal chunk
        if chunk:
            found.append(Segment(chunk_script, tuple(chunk), chunk_sentence))
            chunk = []

    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        assert kind is not None
        word = match.group()
        if kind == "stop":
            sentence += 1
            close()
        elif kind in DETECTED_SCRIPTS:
            if chunk and chunk_script != kind:
                close()
            if not chunk:
                chunk_script, chunk_sentence = kind, sentence
            chunk.append(word)
        else:
            close()
            found.append(Segment(kind, (word,), sentence))
    close()
    return found
