"""reward_client.verl, called the way veRL's reward managers call a custom reward function.

Calling code after volcengine/verl 0.8.0.dev: `get_custom_reward_fn` (pkg:// import, reward_kwargs
merged by a partial), NaiveRewardManager (one call per sample, every dict key appended to
reward_extra_info), BatchRewardManager (one call with numpy object arrays), the reward loop's
async NaiveRewardManager (concurrent awaits), PrimeRewardManager (positional, process pool).
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from typing import Any

import numpy as np

from tests.conftest import HANG_ANSWER, HANG_GOLD, metric_total

PKG_PATH = "pkg://reward_client.verl"


def load_extern_object(module_path: str, object_name: str) -> Any:
    """veRL's verl.utils.import_utils for `pkg://` paths."""
    return getattr(importlib.import_module(module_path[len("pkg://") :].replace("/", ".")), object_name)


def _call_with_kwargs(raw_fn: Any, extra_kwargs: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
    return raw_fn(*args, **{**kwargs, **extra_kwargs})


async def _call_with_kwargs_async(raw_fn: Any, extra_kwargs: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
    return await raw_fn(*args, **{**kwargs, **extra_kwargs})


def get_custom_reward_fn(name: str, reward_kwargs: dict[str, Any]) -> Any:
    raw_fn = load_extern_object(PKG_PATH, name)
    if not inspect.iscoroutinefunction(raw_fn):
        return partial(_call_with_kwargs, raw_fn, reward_kwargs)
    return partial(_call_with_kwargs_async, raw_fn, reward_kwargs)


SAMPLES = [  # (data_source, response, ground_truth, extra_info)
    ("openai/gsm8k", "Adding them up gives #### 18", "18", {"split": "train", "index": 0}),
    ("lighteval/MATH", "so the answer is $\\boxed{\\frac{1}{2}}$", "\\frac12", {"index": 1}),
    ("lighteval/MATH", "I get \\boxed{3}", "4", {"index": 2}),
    ("lighteval/MATH", HANG_ANSWER, HANG_GOLD, {"index": 3}),  # undecidable in time: null
]


def test_naive_manager_gets_the_same_keys_for_every_sample(live_server: str) -> None:
    compute_score = get_custom_reward_fn("compute_score", {"url": live_server})
    reward_extra_info: dict[str, list[Any]] = defaultdict(list)
    rewards = []
    for data_source, response, ground_truth, extra_info in SAMPLES:
        extra_info = {**extra_info, "num_turns": None, "rollout_reward_scores": {}}
        score = compute_score(
            data_source=data_source, solution_str=response, ground_truth=ground_truth, extra_info=extra_info
        )
        rewards.append(float(score["score"]))  # reward_tensor[i, last] = score["score"]: must be a number
        for key, value in score.items():
            reward_extra_info[key].append(value)
    assert rewards == [1.0, 1.0, 0.0, 0.0]
    assert set(reward_extra_info) == {"score", "acc", "pred", "status", "valid"}
    assert all(len(values) == len(SAMPLES) for values in reward_extra_info.values())
    assert reward_extra_info["status"] == ["correct", "correct", "wrong", "timeout"]
    assert reward_extra_info["valid"] == [True, True, True, False]  # the null is flagged, not hidden in the 0
    assert reward_extra_info["pred"][1] == "\\frac{1}{2}"


def test_batch_manager_with_numpy_arrays(live_server: str) -> None:
    compute_score = get_custom_reward_fn("compute_score_batch", {"url": live_server})
    data_sources = np.array([s[0] for s in SAMPLES[:3]], dtype=object)
    extra_infos = np.array([s[3] for s in SAMPLES[:3]], dtype=object)
    ground_truths = [np.str_(s[2]) for s in SAMPLES[:3]]
    before = metric_total(live_server, "reward_batch_items_count")
    scores = compute_score(
        data_sources=data_sources,
        solution_strs=[s[1] for s in SAMPLES[:3]],
        ground_truths=ground_truths,
        extra_infos=extra_infos,
    )
    assert metric_total(live_server, "reward_batch_items_count") - before == 1
    assert [s["score"] for s in scores] == [1.0, 1.0, 0.0]
    assert len({tuple(s) for s in scores}) == 1  # same keys, same order


def test_call_based_ground_truth_is_judged_as_apps_judges_it(live_server: str) -> None:
    # APPS/TACO wrap each expected return value in a one-element list; their checker accepts
    # the value itself, and so must we (it used to score a correct solution 0).
    compute_score = get_custom_reward_fn("compute_score_batch", {"url": live_server})
    ground_truth = json.dumps({"fn_name": "add", "inputs": [[1, 2], [5, 7]], "outputs": [[3], [12]]})
    right = "```python\ndef add(a, b):\n    return a + b\n```"
    wrong = "```python\ndef add(a, b):\n    return a * b\n```"
    scores = compute_score(
        data_sources=np.array(["taco", "taco"], dtype=object),
        solution_strs=[right, wrong],
        ground_truths=[ground_truth, ground_truth],
        extra_infos=np.array([{}, {}], dtype=object),
    )
    assert [(score["status"], score["score"]) for score in scores] == [("accepted", 1.0), ("wrong_answer", 0.0)]


def test_code_ground_truth_in_prime_style_becomes_a_code_item(live_server: str) -> None:
    compute_score = get_custom_reward_fn("compute_score_batch", {"url": live_server})
    ground_truth = json.dumps({"inputs": ["2 3\n", "10 -4\n"], "outputs": ["5\n", "6\n"]})
    program = "```python\na, b = map(int, input().split())\nprint(a + b)\n```"
    scores = compute_score(
        data_sources=np.array(["codecontests", "codecontests"], dtype=object),
        solution_strs=[program, "no code"],
        ground_truths=[ground_truth, ground_truth],
        extra_infos=np.array([{}, {}], dtype=object),
    )
    assert scores[0]["status"] in {"accepted", "sandbox_error"}
    assert scores[0]["valid"] == (scores[0]["status"] == "accepted")
    assert (scores[1]["status"], scores[1]["score"]) == ("no_code", 0.0)


def test_reward_loop_awaits_many_samples_at_once_in_few_requests(live_server: str) -> None:
    compute_score = get_custom_reward_fn("compute_score_async", {"url": live_server})
    assert inspect.iscoroutinefunction(compute_score)  # how the reward loop decides to await it

    async def reward_loop() -> list[dict[str, Any]]:
        return await asyncio.gather(
            *(
                compute_score(data_source="gsm8k", solution_str=f"#### {i}", ground_truth="5", extra_info={"index": i})
                for i in range(32)
            )
        )

    before = metric_total(live_server, "reward_batch_items_count")
    results = asyncio.run(reward_loop())
    assert metric_total(live_server, "reward_batch_items_count") - before <= 2
    assert [r["score"] for r in results] == [1.0 if i == 5 else 0.0 for i in range(32)]


async def _prime_style(evaluation_func: Any, rows: list[tuple[str, str, str, Any]]) -> list[Any]:
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(max_workers=2) as executor:
        futures = [loop.run_in_executor(executor, partial(evaluation_func, t, c, r, e)) for t, c, r, e in rows]
        return await asyncio.gather(*futures)


def test_prime_manager_runs_it_positionally_in_worker_processes(live_server: str) -> None:
    compute_score = get_custom_reward_fn("compute_score_float", {"url": live_server})
    rows = [(s[0], s[1], s[2], s[3]) for s in SAMPLES[:3]]
    scores = asyncio.run(_prime_style(compute_score, rows))
    assert scores == [1.0, 1.0, 0.0]
    assert all(isinstance(score, float) for score in scores)  # prime needs a number
