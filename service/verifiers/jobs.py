"""Verification jobs: plain, picklable data that any dispatcher can move to a worker.

A job holds exactly what its verifier needs, nothing of the request around it, so
the same job can run in the embedded pool, in an RQ worker on another machine, or
be used as part of a cache key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sandbox.limits import Limits


@dataclass(frozen=True)
class MathJob:
    """Compare one extracted answer with one ground truth."""

    answer: str
    ground_truth: str
    task: Literal["math"] = "math"


@dataclass(frozen=True)
class CodeJob:
    """Run one extracted program against its tests.

    `tests_json` is the item's `tests` object as canonical JSON: hashable, so it
    can take part in dedupe and cache keys, and cheap to move between processes.
    """

    program: str
    language: str
    tests_json: str
    limits: Limits
    all_or_nothing: bool = False
    task: Literal["code"] = "code"


Job = MathJob | CodeJob
