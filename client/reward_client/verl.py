"""veRL custom reward functions backed by reward-service.

    reward.reward_manager.name=naive
    reward.custom_reward_function.path=pkg://reward_client.verl
    reward.custom_reward_function.name=compute_score_async
    +reward.custom_reward_function.reward_kwargs.url=http://reward-host:8000

Those are veRL 0.9.x's keys (0.7.1 and later read them; up to 0.7.0 the same keys sat at the
top level, without `reward.`, and 0.9's main_ppo ignores the top-level ones). The README's
table says which function goes with which manager; tests/test_verl_recipe.py runs them.

Conventions, from volcengine/verl 0.8.0.dev (commit b178a3c, January 2026), still true of 0.9.1's
reward loop:
- `verl/trainer/ppo/reward.py::get_custom_reward_fn` loads `name` from `path` (`pkg://` imports a
  module) and wraps it in a `functools.partial` that merges `custom_reward_function.reward_kwargs`
  into every call; an `async def` function gets an async partial.
- `NaiveRewardManager` (workers/reward_manager/naive.py) and DAPO call
  `compute_score(data_source=, solution_str=, ground_truth=, extra_info=)` once per sample, in a
  loop; a dict result puts `result["score"]` into a float32 reward tensor and appends *every key*
  to `reward_extra_info[key]`, so every sample must return the same keys.
- `BatchRewardManager` (batch.py) calls `compute_score(data_sources=, solution_strs=,
  ground_truths=, extra_infos=, **reward_kwargs)` once per batch; data_sources and extra_infos are
  numpy object arrays.
- The reward loop's `NaiveRewardManager` (experimental/reward_loop/reward_manager/naive.py) awaits
  `compute_score` when `inspect.iscoroutinefunction` says so, one coroutine per sample, many at
  once: `compute_score_async` micro-batches them into few requests.
- `PrimeRewardManager` (prime.py) calls `compute_score(data_source, solution_str, ground_truth,
  extra_info)` positionally in a process pool and needs a number: use `compute_score_float`.

A reward tensor has no "unknown": a score the service could not decide (null) becomes
`null_score` (default 0.0) with `valid: False` beside it, which veRL logs with the other keys.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from reward_client.client import RewardClient
from reward_client.items import as_tests, code_item, math_item
from reward_client.wire import ScoreResult

logger = logging.getLogger(__name__)

DECIDED_CORRECT = frozenset({"correct", "accepted"})


@functools.cache
def _client(url: str | None) -> RewardClient:
    # veRL hands a reward function only kwargs, so the client lives here, one per URL; it opens its
    # connections lazily in each process and event loop, so this survives Ray's and prime's forks.
    return RewardClient(url)


def build_item(
    data_source: Any,
    solution_str: str,
    ground_truth: Any,
    extra_info: Mapping[str, Any] | None,
    mode: str | None = None,
) -> dict[str, Any]:
    """A code item when `extra_info["tests"]` or the ground truth holds tests, else a math item."""
    extra = extra_info if isinstance(extra_info, Mapping) else {}
    task = extra.get("task")
    tests = as_tests(extra.get("tests")) or (as_tests(ground_truth) if task in (None, "code") else None)
    if tests is not None and task in (None, "code"):
        return code_item(solution_str, tests, language=extra.get("language"), limits=extra.get("limits"))
    return math_item(solution_str, ground_truth, mode=extra.get("mode") or mode)


def reward_dict(result: ScoreResult, null_score: float) -> dict[str, Any]:
    """The same five keys for every sample: veRL appends each key's value to a per-batch list."""
    if result.score is None:
        logger.warning(
            "reward-service could not decide an item (%s: %s); using %s",
            result.status,
            result.details.get("error"),
            null_score,
        )
    return {
        "score": float(null_score if result.score is None else result.score),
        "acc": 1.0 if result.status in DECIDED_CORRECT else 0.0,
        "pred": str(result.details.get("extracted_answer") or ""),  # veRL's maj@N validation metric reads `pred`
        "status": result.status,
        "valid": result.score is not None,
    }


def compute_score(
    data_source: Any,
    solution_str: str,
    ground_truth: Any,
    extra_info: Mapping[str, Any] | None = None,
    *,
    url: str | None = None,
    null_score: float = 0.0,
    mode: str | None = None,
    options: Mapping[str, Any] | None = None,
    **_: Any,
) -> dict[str, Any]:
    """One sample, one request (veRL's sync managers call this in a sequential loop, so waiting for
    company would only add latency; the batch manager or `compute_score_async` batch)."""
    item = build_item(data_source, solution_str, ground_truth, extra_info, mode)
    return reward_dict(_client(url).score([item], options)[0], null_score)


async def compute_score_async(
    data_source: Any,
    solution_str: str,
    ground_truth: Any,
    extra_info: Mapping[str, Any] | None = None,
    *,
    url: str | None = None,
    null_score: float = 0.0,
    mode: str | None = None,
    options: Mapping[str, Any] | None = None,
    **_: Any,
) -> dict[str, Any]:
    """One sample, micro-batched with the other samples being scored concurrently on this event loop."""
    item = build_item(data_source, solution_str, ground_truth, extra_info, mode)
    return reward_dict(await _client(url).ascore_one(item, options), null_score)


def compute_score_batch(
    data_sources: Sequence[Any],
    solution_strs: Sequence[str],
    ground_truths: Sequence[Any],
    extra_infos: Sequence[Mapping[str, Any] | None] | None = None,
    *,
    url: str | None = None,
    null_score: float = 0.0,
    mode: str | None = None,
    options: Mapping[str, Any] | None = None,
    **_: Any,
) -> list[dict[str, Any]]:
    """The whole batch in concurrent requests of `max_batch_items`; one dict per sample, in order."""
    extras = list(extra_infos) if extra_infos is not None else [None] * len(solution_strs)
    items = [
        build_item(source, solution, truth, extra, mode)
        for source, solution, truth, extra in zip(data_sources, solution_strs, ground_truths, extras, strict=True)
    ]
    return [reward_dict(result, null_score) for result in _client(url).score(items, options)]


def compute_score_float(
    data_source: Any, solution_str: str, ground_truth: Any, extra_info: Mapping[str, Any] | None = None, **kwargs: Any
) -> float:
    """`compute_score`'s score alone, for managers that need a number (prime)."""
    return float(compute_score(data_source, solution_str, ground_truth, extra_info, **kwargs)["score"])
