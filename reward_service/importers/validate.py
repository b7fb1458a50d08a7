"""`--validate`: do a problem's tests accept the dataset's own correct solutions?

A dataset's tests can be wrong for a grader like ours: an answer that needs a checker
(several right outputs, floating point), a broken expected output, limits a correct
solution cannot meet here. Such a problem scores its correct rollouts 0, a silent
poison in training. Validation runs up to N of the dataset's correct solutions (in the
languages asked for) against the stored problem, through the same scoring as training
(this host's pipeline, or the service at `--url`), and calls the problem invalid when
any is rejected. A known-wrong solution, where the dataset has one, is run too: if it
passes, the tests are weak (reported, not dropped). Sandbox failures and timeouts are
ours, not the tests': they leave a problem undecided.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter

from reward_service.importers.converted import Solution
from reward_service.schemas.scoring import AnyItem, Item, ScoreOptions
from reward_service.score_file.scorers import Scorer

_ITEM: TypeAdapter[AnyItem] = TypeAdapter(Item)
_UNDECIDED = {"sandbox_error", "timeout", "error"}


@dataclass(frozen=True)
class Validation:
    valid: bool | None
    rejected: list[str] = field(default_factory=list)
    wrong_solution: str | None = None

    def as_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {"valid": self.valid}
        if self.rejected:
            record["rejected"] = self.rejected
        if self.wrong_solution is not None:
            record["wrong_solution"] = self.wrong_solution
        return record


def _item(problem_id: str, solution: Solution, index: int) -> AnyItem:
    response = f"```{solution.language}\n{solution.source}\n```"
    return _ITEM.validate_python(
        {"id": str(index), "task": "code", "problem": problem_id, "language": solution.language, "response": response}
    )


def _why(result: dict[str, Any]) -> str:
    details = result.get("details") or {}
    for test in details.get("tests") or []:
        if test.get("status") != "accepted":
            return f"{result['status']} ({test.get('message') or test.get('status')})"[:300]
    return str(result["status"])


class Validator:
    def __init__(self, scorer: Scorer, per_problem: int, languages: Sequence[str]) -> None:
        self.scorer = scorer
        self.per_problem = per_problem
        self.languages = set(languages)

    async def validate(self, problem_id: str, solutions: Sequence[Solution]) -> Validation:
        usable = [solution for solution in solutions if solution.language in self.languages]
        correct = [solution for solution in usable if solution.correct][: self.per_problem]
        wrong = [solution for solution in usable if not solution.correct][:1]
        if not correct and not wrong:
            return Validation(None)
        chosen = correct + wrong
        results = await self.scorer.score([_item(problem_id, s, i) for i, s in enumerate(chosen)], ScoreOptions())
        rejected, decided = [], 0
        for number, (solution, result) in enumerate(zip(correct, results, strict=False), start=1):
            if result["status"] in _UNDECIDED:
                continue
            decided += 1
            if result["status"] != "accepted":
                rejected.append(f"correct {solution.language} solution {number}: {_why(result)}")
        wrong_status = str(results[-1]["status"]) if wrong else None
        valid = False if rejected else (True if decided else None)
        return Validation(valid, rejected, wrong_status)
