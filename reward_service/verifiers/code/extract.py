"""Find the program in a model's completion: the last fenced block, in the right language."""

from __future__ import annotations

from dataclasses import dataclass

from reward_sandbox import resolve_language
from reward_service.verifiers.scan import fenced_blocks
from reward_service.verifiers.think import final_segment

# Info strings that say "not code": a block with one of these never names the language.
_NEUTRAL_TAGS = frozenset({"", "text", "txt", "plaintext", "output", "console", "stdout", "input", "sample"})


@dataclass(frozen=True)
class Program:
    source: str
    language: str | None  # canonical name from the fence's tag, if it names a known language
    tag: str = ""  # the fence's tag as written

    @property
    def names_unknown_language(self) -> bool:
        return self.language is None and self.tag.lower() not in _NEUTRAL_TAGS


def extract_program(response: str, language: str | None) -> Program | None:
    """The program in a response.

    With `language` given: the last fenced block tagged with it (any alias), else
    the last fenced block. Without: the last block tagged with a language we
    know (so an untagged block of sample output after the code is not taken),
    else the last block. Only the text after ``</think>`` counts, as for math
    answers: code drafted in the reasoning is not the answer.
    """
    segment = final_segment(response)
    if segment is None:
        return None
    blocks: list[Program] = []
    for fence in fenced_blocks(segment):
        tag = fence.info.strip().split(" ")[0] if fence.info.strip() else ""
        known = resolve_language(tag) if tag else None
        body = fence.body
        if body.strip():
            blocks.append(Program(body, known.name if known else None, tag))
    if not blocks:
        return None
    wanted = resolve_language(language) if language else None
    for block in reversed(blocks):
        if block.language is not None and (wanted is None or block.language == wanted.name):
            return block
    return blocks[-1]
