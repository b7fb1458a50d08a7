"""Verification jobs: plain, picklable data that any dispatcher can move to a worker.

A job holds exactly what its verifier needs, nothing of the request around it, so
the same job can run in the embedded pool, in an RQ worker on another machine, or
be used as part of a cache key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class MathJob:
    """Compare one extracted answer with one ground truth."""

    answer: str
    ground_truth: str
    task: Literal["math"] = "math"


# Widened by the code verifier (issue 3) with its CodeJob.
Job = MathJob
