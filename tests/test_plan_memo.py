"""Plans are reused for items seen before, keyed by everything but the id."""

from __future__ import annotations

from reward_service.plan_memo import PlanMemo
from reward_service.schemas.scoring import MathItem, ScoreOptions


def test_a_resent_item_is_planned_once_and_options_or_content_plan_again() -> None:
    memo = PlanMemo(capacity=10)
    planned: list[str] = []

    def plan(items):  # type: ignore[no-untyped-def]
        planned.extend(item.id for item in items)
        return [f"plan of {item.response}" for item in items]

    a = MathItem(id="a", task="math", response="x = 1", ground_truth="1")
    b = MathItem(id="b", task="math", response="x = 2", ground_truth="2")
    plain, boxed_only = ScoreOptions(), ScoreOptions(last_number_fallback=False)
    assert memo.plan_batch([a, b], plain, plan) == ["plan of x = 1", "plan of x = 2"]
    again = a.model_copy(update={"id": "a2"})  # same item under another id
    assert memo.plan_batch([again, b], plain, plan) == ["plan of x = 1", "plan of x = 2"]
    assert planned == ["a", "b"]
    memo.plan_batch([a], boxed_only, plan)
    memo.plan_batch([a.model_copy(update={"ground_truth": "3"})], plain, plan)
    assert planned == ["a", "b", "a", "a"]


def test_capacity_bounds_the_memo() -> None:
    memo = PlanMemo(capacity=2)
    items = [MathItem(id=str(i), task="math", response=str(i), ground_truth="1") for i in range(5)]
    memo.plan_batch(items, ScoreOptions(), lambda todo: [item.id for item in todo])
    assert len(memo._plans) == 2
