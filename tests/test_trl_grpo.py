"""Our reward functions inside TRL's own GRPOTrainer (trl pinned in the `trainers` extra).

Each run trains a policy built here (tests/tiny_chat_policy.py) for a few steps on the CPU,
against a real `reward-service serve`: GRPOTrainer samples completions, calls our reward
functions the way it calls any, and logs what they returned. The policy was taught its
answers first, so what each completion must score is known, and a function that returned
zeros, Nones or the wrong term would show in TRL's own logs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import metric_total
from tests.tiny_chat_policy import Lesson, build_policy, chat_prompt, save_policy

TRL_VERSION = "1.16.0"
RIGHT = Lesson("six times seven", "<think> six sevens make forty two </think> \\boxed{42}")
WRONG = Lesson("five times eight", "<think> five eights make forty one </think> \\boxed{41}")


@pytest.fixture(scope="module")
def trl() -> Any:
    from importlib import metadata

    try:
        installed = metadata.version("trl")
    except metadata.PackageNotFoundError:
        installed = None
    if installed != TRL_VERSION:
        message = f"trl {installed} is installed, these tests pin {TRL_VERSION}: pip install -e '.[trainers]'"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    import trl as module

    return module


def grpo_config(trl: Any, output_dir: Path, **overrides: Any) -> Any:
    settings: dict[str, Any] = {
        "output_dir": str(output_dir),
        "max_steps": 2,
        "per_device_train_batch_size": 8,  # both prompts, 4 completions each, every step
        "num_generations": 4,
        "max_completion_length": 16,
        "learning_rate": 1e-4,
        "beta": 0.0,
        "logging_steps": 1,
        "report_to": "none",
        "save_strategy": "no",
        "use_cpu": True,
        "bf16": False,
        "seed": 0,
        "dataloader_num_workers": 0,
    }
    settings.update(overrides)
    return trl.GRPOConfig(**settings)


class Recorded:
    """Wraps an async reward function: records what TRL passed and what came back, and the
    time spent in it. TRL names the function after `__name__` and awaits it (async)."""

    def __init__(self, function: Callable[..., Any], name: str) -> None:
        self.function = function
        self.calls: list[tuple[list[Any], list[float | None]]] = []
        self.seconds = 0.0

        async def recorded(**kwargs: Any) -> list[float | None]:
            started = time.perf_counter()
            rewards = await function(**kwargs)
            self.seconds += time.perf_counter() - started
            self.calls.append((list(kwargs["completions"]), list(rewards)))
            return rewards

        recorded.__name__ = name
        self.wrapped = recorded


def standard_rows(tokenizer: Any) -> list[dict[str, str]]:
    """Prompts as plain text (TRL's standard format), written out in the policy's chat format."""
    return [{"prompt": chat_prompt(tokenizer, lesson.prompt), "answer": "42"} for lesson in [RIGHT, WRONG]]


def logged(trainer: Any, key: str) -> list[float]:
    return [entry[key] for entry in trainer.state.log_history if key in entry]


def test_grpo_trainer_trains_on_the_services_rewards(trl: Any, live_server: str, tmp_path: Path) -> None:
    from datasets import Dataset
    from reward_client.trl import service_reward_func

    model, tokenizer = build_policy([RIGHT, WRONG])
    ours = Recorded(service_reward_func(live_server), "service_reward")
    before = metric_total(live_server, "reward_items_scored_total")
    trainer = trl.GRPOTrainer(
        model=model,
        processing_class=tokenizer,
        reward_funcs=[ours.wrapped],
        args=grpo_config(trl, tmp_path),
        train_dataset=Dataset.from_list(standard_rows(tokenizer)),
    )
    trainer.train()

    assert trainer.state.global_step == 2
    completions = [text for texts, _ in ours.calls for text in texts]
    rewards = [reward for _, scored in ours.calls for reward in scored]
    assert len(completions) == 16 and metric_total(live_server, "reward_items_scored_total") - before == 16
    # The policy answers 42 to "six times seven" and 41 to "five times eight"; the gold is 42 for both.
    for text, reward in zip(completions, rewards, strict=True):
        if text.strip().endswith("\\boxed{42}"):
            assert reward == 1.0, (text, reward)
        elif text.strip().endswith("\\boxed{41}"):
            assert reward == 0.0, (text, reward)
    assert 1.0 in rewards and 0.0 in rewards, completions
    # TRL's own log of our function is what we returned.
    assert logged(trainer, "rewards/service_reward/mean") == pytest.approx(
        [sum(scored) / len(scored) for _, scored in ours.calls]  # type: ignore[arg-type]
    )
    # TRL times each step itself (generation, rewards, update): what share went to our function.
    steps = sum(logged(trainer, "step_time"))
    print(f"\nreward share of a GRPO step: {ours.seconds / steps:.1%} ({ours.seconds:.2f} s of {steps:.2f} s)")


def test_conversational_rows_with_an_options_column_and_a_reasoning_parser(
    trl: Any, live_server: str, tmp_path: Path
) -> None:
    from datasets import Dataset
    from reward_client.trl import service_reward_parts

    model, tokenizer = build_policy([RIGHT, WRONG], reasoning=True)
    # The format term needs the <think> block that TRL's parser moved into reasoning_content.
    accuracy, form = service_reward_parts(live_server, options={"format": {"weight": 0.5}})
    recorded = [Recorded(accuracy, "reward_accuracy"), Recorded(form, "reward_format")]
    rows = [
        {
            "prompt": [{"role": "user", "content": lesson.prompt}],
            "answer": "42",
            # A dataset column that shares its name with one of our settings is only a column.
            "options": json.dumps({"format": {"weight": 100}}),
        }
        for lesson in [RIGHT, WRONG]
    ]
    trainer = trl.GRPOTrainer(
        model=model,
        processing_class=tokenizer,
        reward_funcs=[record.wrapped for record in recorded],
        args=grpo_config(trl, tmp_path),
        train_dataset=Dataset.from_list(rows),
    )
    trainer.train()

    completions = [completion for texts, _ in recorded[0].calls for completion in texts]
    parsed = [completion[0] for completion in completions]
    assert all(message["role"] == "assistant" for message in parsed)
    with_reasoning = [message for message in parsed if message.get("reasoning_content")]
    assert with_reasoning, parsed  # the parser ran: the <think> block is not in the content
    assert all("<think>" not in message["content"] for message in with_reasoning)
    accuracy_rewards = [reward for _, scored in recorded[0].calls for reward in scored]
    format_rewards = [reward for _, scored in recorded[1].calls for reward in scored]
    for message, right, form_reward in zip(parsed, accuracy_rewards, format_rewards, strict=True):
        if message.get("reasoning_content") and message["content"].strip() in ("\\boxed{42}", "\\boxed{41}"):
            assert right == (1.0 if message["content"].strip() == "\\boxed{42}" else 0.0), message
            assert form_reward == 0.5, message  # weighed by our options, not the column's
    assert logged(trainer, "rewards/reward_format/mean")


def _cli_available() -> None:
    import shutil

    if shutil.which("trl", path=str(Path(sys.executable).parent)) is None:
        pytest.fail("trl's console script is not installed beside this interpreter")


def test_the_trl_cli_runs_our_module_level_function(trl: Any, live_server: str, tmp_path: Path) -> None:
    _cli_available()
    model, tokenizer = build_policy([RIGHT, WRONG])
    policy = save_policy(model, tokenizer, tmp_path / "policy")
    data = tmp_path / "data"
    data.mkdir()
    with (data / "train.jsonl").open("w") as handle:
        for row in standard_rows(tokenizer):
            handle.write(json.dumps(row) + "\n")
    before = metric_total(live_server, "reward_items_scored_total")
    environment = {
        **os.environ,
        "REWARD_SERVICE_URL": live_server,
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_HOME": str(tmp_path / "hf"),
    }
    command = [
        str(Path(sys.executable).parent / "trl"),
        "grpo",
        "--model_name_or_path",
        str(policy),
        "--dataset_name",
        str(data),
        "--reward_funcs",
        "reward_client.trl.reward_func",
        "--output_dir",
        str(tmp_path / "out"),
        "--max_steps",
        "2",
        "--per_device_train_batch_size",
        "8",
        "--num_generations",
        "4",
        "--max_completion_length",
        "16",
        "--beta",
        "0",
        "--logging_steps",
        "1",
        "--report_to",
        "none",
        "--save_strategy",
        "no",
        "--use_cpu",
        "--bf16",
        "false",
    ]
    finished = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stderr[-4000:]
    assert metric_total(live_server, "reward_items_scored_total") - before == 16
    # The Trainer prints each step's log; TRL names the column after the function it unwrapped.
    output = finished.stdout + finished.stderr
    means = [
        float(value) for line in output.splitlines() for value in _logged_values(line, "rewards/service_reward/mean")
    ]
    assert len(means) == 2 and all(0.0 <= mean <= 1.0 for mean in means), output[-4000:]
    assert sum(means) > 0, means  # the policy answers one of its two prompts right: not a silent zero


def _logged_values(line: str, key: str) -> Iterator[str]:
    # Trainer prints each log entry as a Python dict: {'loss': ..., 'rewards/reward_func/mean': ...}
    marker = f"'{key}': "
    start = line.find(marker)
    if start >= 0:
        yield line[start + len(marker) :].split(",")[0].split("}")[0].strip().strip("'")
