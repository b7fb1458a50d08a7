"""Verification jobs: plain, picklable data that any dispatcher can move to a worker.

A job holds exactly what its verifier needs, nothing of the request around it, so
the same job can run in the embedded pool, in an RQ worker on another machine, or
be used as part of a cache key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from reward_sandbox import Language, Limits
from reward_service.verifiers.code.kinds import AnyTests

# How many decimals a decimal answer must share with an exact reference (π, 1/3): math-verify's
# own rounding. None: a decimal must equal the reference exactly (verifiers/math/compare.py).
DEFAULT_MATH_DECIMALS = 6


@dataclass(frozen=True)
class MathJob:
    """Compare one extracted answer with one ground truth."""

    answer: str
    ground_truth: str
    task: Literal["math"] = "math"
    decimals: int | None = DEFAULT_MATH_DECIMALS


@dataclass(frozen=True)
class ProblemRef:
    """A stored problem, by id and by the hash of the content the job was planned with."""

    id: str
    hash: str


@dataclass(frozen=True)
class CodeJob:
    """Run one extracted program against its tests.

    The language is resolved once, when the job is made; `tests` is typed by kind
    (its `canonical()` JSON takes part in dedupe and cache keys).
    """

    program: str
    language: Language
    tests: AnyTests
    limits: Limits
    all_or_nothing: bool = False
    task: Literal["code"] = "code"
    # Set when the tests come from a stored problem: a queue can then carry this instead of them.
    problem: ProblemRef | None = None


@dataclass(frozen=True)
class ProblemCodeJob:
    """A CodeJob on the queue without its tests: the code worker reads them from the problem
    store once per content hash and keeps them (a GRPO step sends 8-16 rollouts per problem)."""

    program: str
    language: Language
    problem: ProblemRef
    limits: Limits
    all_or_nothing: bool = False
    task: Literal["code"] = "code"

    @classmethod
    def of(cls, job: CodeJob) -> ProblemCodeJob:
        assert job.problem is not None
        return cls(job.program, job.language, job.problem, job.limits, job.all_or_nothing)

    def with_tests(self, tests: AnyTests) -> CodeJob:
        return CodeJob(self.program, self.language, tests, self.limits, self.all_or_nothing, problem=self.problem)


@dataclass(frozen=True)
class RunJob:
    """Run one program once, with stdin and files, and report how it ran (POST /run_code).

    No tests and no judging: the caller reads the output. `files` are (name, base64 content)
    written into the work dir beside the program; `fetch` names files whose content comes back.
    """

    program: str
    language: Language
    stdin: str
    limits: Limits
    compile_time_s: float
    files: tuple[tuple[str, str], ...] = ()
    fetch: tuple[str, ...] = ()
    # Runs share the code queue and workers with code items.
    task: Literal["code"] = "code"


Job = MathJob | CodeJob | RunJob
