"""The think block of an R1-style response, and the part after it that holds the answer:
one rule for math, code, the format reward and the language terms."""

from __future__ import annotations

THINK_OPEN = "<think>"
THINK_CLOSE = "</think>"


def final_segment(response: str) -> str | None:
    """The part of the response that may hold the answer.

    With a think block only the text after the last ``</think>`` counts; an
    unterminated ``<think>`` means the model never finished reasoning, so there is
    no answer (this also stops answers hidden in truncated reasoning from scoring).
    """
    close = response.rfind(THINK_CLOSE)
    if close >= 0:
        return response[close + len(THINK_CLOSE) :]
    if THINK_OPEN in response:
        return None
    return response
