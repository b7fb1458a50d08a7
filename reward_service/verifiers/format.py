"""The R1 format reward: reasoning inside <think>...</think>, then a non-empty answer."""

from __future__ import annotations

import re

from reward_service.verifiers.think import THINK_CLOSE, THINK_OPEN

_ANSWER_BLOCK_RE = re.compile(r"\s*<answer>(?:(?!</?answer>).)+</answer>\s*", re.DOTALL)


def r1_format_ok(response: str, require_answer_tags: bool = False) -> bool:
    """True when the response is one think block followed by an answer.

    The opening ``<think>`` may be missing: chat templates for R1-style training
    often end the prompt with it, so the completion starts inside the block.
    """
    text = response.lstrip()
    if text.startswith(THINK_OPEN):
        text = text[len(THINK_OPEN) :]
    if THINK_OPEN in text or text.count(THINK_CLOSE) != 1:
        return False
    reasoning, answer = text.split(THINK_CLOSE)
    if not reasoning.strip() or not answer.strip():
        return False
    if require_answer_tags:
        return _ANSWER_BLOCK_RE.fullmatch(answer) is not None
    return True
