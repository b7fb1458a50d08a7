"""Whether a problem may be stored, and in what form: one rule for `PUT /problems` and the importer.

A problem is refused when it has more cases or characters than the deployment allows
(413) or a judge in a language this service does not run (422): stored, it would fail
every item that names it, mid-training. An accepted problem is stored as canonical JSON
under the hash of that JSON, so the same content always has the same hash.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from reward_service.exceptions import ProblemRefused
from reward_service.problems.model import StoredProblem, content_hash
from reward_service.schemas.scoring import ProblemBody
from reward_service.settings import Settings


@dataclass(frozen=True)
class AdmittedProblem:
    stored: StoredProblem
    cases: int
    size_chars: int


def canonical_body(body: ProblemBody) -> str:
    """The stored form: canonical JSON, so the same problem always has the same hash."""
    data = body.model_dump(mode="json", exclude_none=True)
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def admit_problem(problem_id: str, body: ProblemBody, settings: Settings) -> AdmittedProblem:
    tests = body.tests
    if tests.case_count() > settings.max_problem_cases:
        raise ProblemRefused(
            413,
            f"tests.cases: {tests.case_count()} cases, at most {settings.max_problem_cases} (REWARD_MAX_PROBLEM_CASES)",
        )
    judge_error = tests.judge_error()
    if judge_error is not None:
        raise ProblemRefused(422, judge_error)
    size = tests.size_chars()
    if size > settings.max_problem_chars:
        raise ProblemRefused(
            413, f"tests: {size} characters, at most {settings.max_problem_chars} (REWARD_MAX_PROBLEM_CHARS)"
        )
    body_json = canonical_body(body)
    return AdmittedProblem(StoredProblem(problem_id, content_hash(body_json), body_json), tests.case_count(), size)
