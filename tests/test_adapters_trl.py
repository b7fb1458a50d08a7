"""reward_client.trl, called the way TRL's GRPOTrainer calls reward functions.

The calling code below follows trl 1.10.0.dev0, `GRPOTrainer._calculate_rewards`
(trl/trainer/grpo_trainer.py): dataset columns repeated per completion as keyword
lists, plus trainer_state, log_extra and log_metric; async functions (as decided by
`inspect.iscoroutinefunction`) awaited on a daemon-thread event loop; None -> NaN.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import json
import math
import pickle
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import reward_client.trl as trl_adapter
from reward_client.trl import service_reward_func, service_reward_parts

from tests.conftest import HANG_ANSWER, HANG_GOLD, metric_total


@pytest.fixture(scope="module")
def trainer_loop() -> Iterator[asyncio.AbstractEventLoop]:
    """TRL's `start_event_loop_in_daemon`: one loop in a daemon thread for the whole training run."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield loop
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=5)


class Logs:
    def __init__(self) -> None:
        self.extra: dict[str, list[Any]] = defaultdict(list)
        self.metrics: dict[str, list[float]] = defaultdict(list)


def call_like_trl(
    reward_func: Callable[..., Any],
    loop: asyncio.AbstractEventLoop,
    inputs: list[dict[str, Any]],
    completions: list[Any],
    logs: Logs,
) -> list[float]:
    keys = [key for key in inputs[0] if key not in ["prompt", "completion", "completion_ids"]]
    reward_kwargs: dict[str, Any] = {key: [example[key] for example in inputs] for key in keys}
    reward_kwargs["trainer_state"] = object()
    reward_kwargs["log_extra"] = lambda column, values: logs.extra[column].extend(values)
    reward_kwargs["log_metric"] = lambda name, value: logs.metrics[name].append(value)
    prompts = [example["prompt"] for example in inputs]
    completion_ids = [[1, 2, 3] for _ in completions]
    assert inspect.iscoroutinefunction(reward_func), "TRL would call it synchronously and get a coroutine"
    output = asyncio.run_coroutine_threadsafe(
        reward_func(prompts=prompts, completions=completions, completion_ids=completion_ids, **reward_kwargs), loop
    ).result(timeout=60)
    return [reward if reward is not None else math.nan for reward in output]


def test_reward_function_is_async_picklable_and_named(live_server: str) -> None:
    reward_func = service_reward_func(live_server)
    assert inspect.iscoroutinefunction(reward_func)
    assert isinstance(reward_func, functools.partial) and reward_func.func.__name__ == "service_reward"
    restored = pickle.loads(pickle.dumps(reward_func))
    assert inspect.iscoroutinefunction(restored)
    assert restored.args[0].client.config.url == live_server


def test_standard_format_with_answer_solution_and_ground_truth_columns(
    live_server: str, trainer_loop: asyncio.AbstractEventLoop
) -> None:
    inputs = [
        {"prompt": "What is 6*7?", "answer": "42"},  # GSM8K-style column
        {"prompt": "What is 6*7?", "answer": "42"},
        {"prompt": "Half of 1?", "solution": "Half of one is $\\boxed{\\frac12}$."},  # MATH-style worked solution
        {"prompt": "2+2?", "ground_truth": 4},
    ]
    completions = ["6*7 = 42, so the answer is 42.", "I think \\boxed{41}", "It is \\boxed{0.5}", "\\boxed{4}"]
    # TRL datasets have the same columns in every row; missing ones are None.
    columns = {"answer", "solution", "ground_truth"}
    inputs = [{**{c: None for c in columns}, **row} for row in inputs]
    logs = Logs()
    before = metric_total(live_server, "reward_batch_items_count")
    rewards = call_like_trl(service_reward_func(live_server), trainer_loop, inputs, completions, logs)
    assert rewards == [1.0, 0.0, 1.0, 1.0]
    assert metric_total(live_server, "reward_batch_items_count") - before == 1  # the whole batch in one request
    assert logs.extra["reward_status"] == ["correct", "wrong", "correct", "correct"]
    assert logs.metrics["reward_service/undecided"] == [0.0]


def test_conversational_format(live_server: str, trainer_loop: asyncio.AbstractEventLoop) -> None:
    prompt = [{"role": "user", "content": "What is 3+4? Put the answer in a box."}]
    inputs = [{"prompt": prompt, "answer": "7"}] * 3
    completions = [
        [{"role": "assistant", "content": "3+4 = \\boxed{7}"}],
        [{"role": "assistant", "content": [{"type": "text", "text": "It is \\boxed{8}"}]}],
        [
            {"role": "assistant", "content": "Let me compute.", "tool_calls": []},
            {"role": "tool", "content": "7"},
            {"role": "assistant", "content": "So \\boxed{7}."},
        ],
    ]
    rewards = call_like_trl(service_reward_func(live_server), trainer_loop, inputs, completions, Logs())
    assert rewards == [1.0, 0.0, 1.0]


def test_rows_without_a_reference_are_skipped_and_undecided_items_are_none(
    live_server: str, trainer_loop: asyncio.AbstractEventLoop
) -> None:
    """TRL turns None into NaN and leaves it out, instead of training on a fake 0."""
    inputs = [
        {"prompt": "p", "answer": None, "task": "math"},  # nothing to check against
        {"prompt": "p", "answer": "7", "task": "math"},
        {"prompt": "p", "answer": HANG_GOLD, "task": "math"},  # the checker cannot finish this one in time
    ]
    completions = ["\\boxed{7}", "\\boxed{7}", HANG_ANSWER]
    logs = Logs()
    rewards = call_like_trl(service_reward_func(live_server), trainer_loop, inputs, completions, logs)
    assert math.isnan(rewards[0]) and rewards[1] == 1.0 and math.isnan(rewards[2])
    assert logs.extra["reward_status"] == ["skipped", "correct", "timeout"]
    assert logs.metrics["reward_service/undecided"] == [0.5]


def test_code_rows_become_code_items(live_server: str, trainer_loop: asyncio.AbstractEventLoop) -> None:
    tests = {"kind": "stdio", "cases": [{"input": "2 3\n", "output": "5\n"}]}
    inputs = [
        {
            "prompt": "Add two numbers.",
            "task": "code",
            "tests": json.dumps(tests),
            "language": "python",
            "answer": None,
        },
        {"prompt": "Add two numbers.", "task": "code", "tests": tests, "language": "python", "answer": None},
    ]
    completions = ["```python\na, b = map(int, input().split())\nprint(a + b)\n```", "no code here"]
    logs = Logs()
    rewards = call_like_trl(service_reward_func(live_server), trainer_loop, inputs, completions, logs)
    first, second = logs.extra["reward_status"]
    # A sandbox that cannot start on this machine is a null score (None for TRL), never a 0.
    assert (first, rewards[0]) == ("accepted", 1.0) or (first == "sandbox_error" and math.isnan(rewards[0]))
    assert (second, rewards[1]) == ("no_code", 0.0)


def test_columns_named_like_our_settings_are_only_columns(
    live_server: str, trainer_loop: asyncio.AbstractEventLoop
) -> None:
    """Multiple-choice data has `options` (and sometimes `mode`, `client`) columns; TRL passes every
    column as a keyword. Before: `options=["A", "B"]` replaced the scoring options and the call died."""
    inputs = [
        {"prompt": "Pick one", "answer": "B", "options": ["A", "B", "C"], "mode": "exam", "client": "web"},
        {"prompt": "Pick one", "answer": "C", "options": ["A", "B", "C"], "mode": "exam", "client": "web"},
    ]
    rewards = call_like_trl(
        service_reward_func(live_server), trainer_loop, inputs, ["\\boxed{B}", "\\boxed{A}"], Logs()
    )
    assert rewards == [1.0, 0.0]


def test_reasoning_parsed_out_of_the_content_still_counts(
    live_server: str, trainer_loop: asyncio.AbstractEventLoop
) -> None:
    """With a reasoning parser TRL's completion message carries the <think> part in `reasoning_content`."""
    inputs = [{"prompt": [{"role": "user", "content": "3+4?"}], "answer": "7"}] * 2
    completions = [
        [{"role": "assistant", "reasoning_content": "3 plus 4 is 7.", "content": "\\boxed{7}"}],
        [{"role": "assistant", "content": "\\boxed{7}"}],
    ]
    reward_func = service_reward_func(live_server, options={"format": {"weight": 0.5}})
    rewards = call_like_trl(reward_func, trainer_loop, inputs, completions, Logs())
    assert rewards == [1.5, 1.0]  # the format term holds only where there was reasoning


def test_the_parts_are_separate_functions_served_by_one_request(
    live_server: str, trainer_loop: asyncio.AbstractEventLoop
) -> None:
    options = {"format": {"weight": 0.5}, "length_penalty": {"target": 40, "limit": 120, "weight": 0.5}}
    parts = service_reward_parts(live_server, options=options)
    assert [part.__name__ for part in parts] == ["reward_accuracy", "reward_format", "reward_length"]
    assert all(inspect.iscoroutinefunction(part) for part in parts)
    inputs = [{"prompt": "2+2?", "answer": "4"}] * 3
    completions = ["<think>easy</think> \\boxed{4}", "\\boxed{5}", "<think>" + "long " * 40 + "</think>\\boxed{4}"]
    before = metric_total(live_server, "reward_items_scored_total")

    async def all_parts() -> list[list[float | None]]:  # what TRL does with async reward functions
        keys = {key: [row[key] for row in inputs] for key in inputs[0] if key != "prompt"}
        calls = [part(prompts=[r["prompt"] for r in inputs], completions=completions, **keys) for part in parts]
        return list(await asyncio.gather(*calls))

    accuracy, format_, length = asyncio.run_coroutine_threadsafe(all_parts(), trainer_loop).result(timeout=60)
    assert metric_total(live_server, "reward_items_scored_total") - before == 3  # scored once, not three times
    assert parts[0].args[0].requests == 1
    assert accuracy == [1.0, 0.0, 1.0] and format_ == [0.5, 0.0, 0.5]
    assert length[0] == 0.0 and length[2] is not None and length[2] < 0
    whole = call_like_trl(service_reward_func(live_server, options=options), trainer_loop, inputs, completions, Logs())
    assert [a + f + n for a, f, n in zip(accuracy, format_, length, strict=True)] == pytest.approx(whole)


def test_a_module_level_function_for_the_trl_cli(monkeypatch: pytest.MonkeyPatch, live_server: str) -> None:
    """`trl grpo --reward_funcs reward_client.trl.reward_func` imports a ready function."""
    import importlib

    monkeypatch.setenv("REWARD_SERVICE_URL", live_server)
    monkeypatch.setenv("REWARD_SERVICE_OPTIONS", '{"format": {"weight": 0.25}}')
    module = importlib.reload(trl_adapter)
    assert inspect.iscoroutinefunction(module.reward_func)
    assert module.reward_func.args[0].client.config.url == live_server
    assert module.reward_func.args[0].options == {"format": {"weight": 0.25}}
    monkeypatch.setenv("REWARD_SERVICE_OPTIONS", "{not json")
    with pytest.raises(ValueError, match="REWARD_SERVICE_OPTIONS"):
        importlib.reload(trl_adapter)
    monkeypatch.delenv("REWARD_SERVICE_OPTIONS")
    importlib.reload(trl_adapter)
