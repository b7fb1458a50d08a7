"""reward_client/openrlhf.py in OpenRLHF's `.py` reward mode, called the way OpenRLHF calls it.

After OpenRLHF 0.11.0 `SingleTurnAgentExecutor`: the file is loaded with
`spec_from_file_location("reward_func", path)` and `reward_func([query], [prompt], [label])` runs
once per rollout through `asyncio.to_thread`, many rollouts at once.
"""

from __future__ import annotations

import asyncio
import importlib.util
from typing import Any

import pytest
import reward_client.openrlhf

from tests.conftest import metric_total

PROMPT = "<|im_start|>user\nExample: 1+1 = \\boxed{2}. Now, what is {q}?<|im_end|>\n<|im_start|>assistant\n"


def load_like_openrlhf(path: str) -> Any:
    spec = importlib.util.spec_from_file_location("reward_func", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.reward_func


def test_rollouts_scored_one_by_one_from_threads_share_requests(
    live_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REWARD_SERVICE_URL", live_server)
    reward_func = load_like_openrlhf(reward_client.openrlhf.__file__)
    rollouts = []
    for i in range(16):
        prompt = PROMPT.replace("{q}", f"{i}+1")
        answer = i + 1 if i % 2 == 0 else i
        rollouts.append((prompt + f"It is \\boxed{{{answer}}}.<|im_end|><|endoftext|>", prompt, str(i + 1)))

    async def executor() -> list[dict[str, Any]]:
        return await asyncio.gather(*(asyncio.to_thread(reward_func, [q], [p], [label]) for q, p, label in rollouts))

    before = metric_total(live_server, "reward_batch_items_count")
    answers = asyncio.run(executor())
    # asyncio.to_thread's default pool has min(32, CPUs + 4) threads: 6 on a 2-core machine, so at most 6 per batch.
    assert metric_total(live_server, "reward_batch_items_count") - before <= len(rollouts) / 2
    for i, answer in enumerate(answers):
        expected = 1.0 if i % 2 == 0 else 0.0
        assert answer == {
            "rewards": [expected],
            "scores": [expected],
            "extra_logs": {"accuracy": [expected], "undecided": [0.0]},
        }


def test_the_prompts_boxed_example_is_not_the_answer(live_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REWARD_SERVICE_URL", live_server)
    reward_func = load_like_openrlhf(reward_client.openrlhf.__file__)
    prompt = PROMPT.replace("{q}", "5-3")
    answer = reward_func([prompt + "I am not sure.<|im_end|>"], [prompt], ["2"])
    assert answer["rewards"] == [0.0]  # the prompt's \boxed{2} would have scored 1.0
