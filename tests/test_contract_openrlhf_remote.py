"""OpenRLHF 0.11.2's own remote-reward caller against real servers' /openrlhf.

`--reward.remote_url URL[,URL...]` makes OpenRLHF score each rollout in
`SingleTurnAgentExecutor.execute` (openrlhf/utils/agent.py): the query is decoded, then
`_fetch_rewards_via_http` posts `{query, prompts, labels}` with aiohttp, 5 tries 1 s
apart, rotating over the URLs, and `rewards`/`scores`/`extra_logs` are read back. That
file is loaded here from the installed release (tests/trainer_modules.py) and `execute`
runs whole; only the tokenizer and the vLLM engine are stand-ins (characters as tokens,
a fixed completion), since they are not what talks to the reward server.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.conftest import metric_total
from tests.trainer_modules import load_module, release_file

OPENRLHF = "0.11.2"
TOKEN = "openrlhf-contract-token"
PROMPT = "<|im_start|>user\nWhat is {q}? Box it.<|im_end|>\n<|im_start|>assistant\n"


@pytest.fixture(scope="module")
def agent() -> Iterator[ModuleType]:
    path = release_file("openrlhf", OPENRLHF, "openrlhf/utils/agent.py")
    stand_ins = {name: ModuleType(name) for name in ("openrlhf", "openrlhf.utils")}
    for name, package in stand_ins.items():
        package.__path__ = [str(path.parent if name.endswith("utils") else path.parent.parent)]
    with pytest.MonkeyPatch.context() as patch:
        # Stand-ins for the package __init__s (which import torch); restored afterwards.
        for name, package in stand_ins.items():
            patch.setitem(__import__("sys").modules, name, package)
        load_module("openrlhf.utils.logging_utils", Path(path.parent / "logging_utils.py"))
        yield load_module("openrlhf.utils.agent", path)


class _Ids(list[int]):
    def tolist(self) -> list[int]:
        return list(self)


class CharTokenizer:
    def __call__(self, text: str, add_special_tokens: bool = False, return_tensors: str | None = None) -> Any:
        return {"input_ids": [_Ids(ord(c) for c in text)]}

    def decode(self, ids: list[int], skip_special_tokens: bool = False) -> str:
        return "".join(chr(i) for i in ids)


@dataclass
class SamplingParams:
    max_tokens: int | None = 64
    logprobs: int | None = None


@dataclass
class _Output:
    token_ids: list[int]
    finish_reason: str = "stop"
    logprobs: None = None


@dataclass
class _RequestOutput:
    outputs: list[_Output] = field(default_factory=list)


class FixedEngine:
    """vLLM's engine in the executor's eyes: `generate` returns one completion."""

    def __init__(self, completion: str) -> None:
        self.completion = completion

    async def generate(self, prompt_ids: list[int], params: SamplingParams, multi_modal_data: Any = None) -> Any:
        return _RequestOutput([_Output([ord(c) for c in self.completion])])


def rollout(executor: Any, question: str, completion: str, label: str) -> dict[str, Any]:
    """One rollout through `execute`; the executor is built once and reused, as OpenRLHF does."""
    prompt = PROMPT.replace("{q}", question)
    return asyncio.run(
        executor.execute(prompt, label, SamplingParams(), 4096, CharTokenizer(), FixedEngine(completion))
    )


@pytest.fixture(scope="module")
def token_server() -> Iterator[str]:
    from devstack.subprocess_server import running_server

    env = {"REWARD_WORKERS": "1", "REWARD_LOG_LEVEL": "warning", "REWARD_API_TOKENS": TOKEN}
    with running_server(env) as url:
        yield url


def test_one_url_with_the_token_in_the_path(agent: ModuleType, token_server: str) -> None:
    executor = agent.SingleTurnAgentExecutor(remote_rm_url=f"{token_server}/t/{TOKEN}/openrlhf")
    output = rollout(executor, "2+2", "It is \\boxed{4}.<|im_end|>", "4")
    assert output["reward"] == [1.0] and output["scores"] == [1.0]
    assert output["extra_logs"] == {"accuracy": [1.0], "undecided": [0.0]}
    output = rollout(executor, "2+3", "It is \\boxed{6}.<|im_end|>", "5")
    assert output["reward"] == [0.0]


def test_two_urls_share_the_rollouts(agent: ModuleType, token_server: str, live_server: str) -> None:
    # As train_ppo_ray.py passes `--reward.remote_url A,B`: split on commas.
    urls = f"{token_server}/t/{TOKEN}/openrlhf,{live_server}/openrlhf".split(",")
    executor = agent.SingleTurnAgentExecutor(remote_rm_url=urls)
    before = [metric_total(server, "reward_batch_items_count") for server in (token_server, live_server)]
    for i in range(4):
        output = rollout(executor, f"{i}+1", f"\\boxed{{{i + 1}}}<|im_end|>", str(i + 1))
        assert output["reward"] == [1.0], output
    after = [metric_total(server, "reward_batch_items_count") for server in (token_server, live_server)]
    assert [a - b for a, b in zip(after, before, strict=True)] == [2, 2]


def test_the_empty_shard_of_older_releases(token_server: str) -> None:
    # OpenRLHF <= 0.11.0 split each call over the URLs and posted the empty shards too;
    # 0.11.2 skips them (`if start_idx >= len(queries_list): break`), so the old call is made directly.
    response = httpx.post(
        f"{token_server}/t/{TOKEN}/openrlhf", json={"query": [], "prompts": [], "labels": []}, timeout=30
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"rewards": [], "scores": [], "extra_logs": {"accuracy": [], "undecided": []}}


def test_held_under_backpressure_instead_of_refused(agent: ModuleType) -> None:
    """One slow code item fills a queue of depth 1; OpenRLHF's rollout is held until it is done.

    Answered 429 instead, OpenRLHF's 5 tries 1 s apart end before the item does, and the reward is lost.
    """
    from devstack.subprocess_server import running_server

    env = {
        "REWARD_WORKERS": "1",
        "REWARD_LOG_LEVEL": "warning",
        "REWARD_MAX_QUEUE_DEPTH": "1",
        "REWARD_CODE_TIME_S": "10",
        "REWARD_OPENRLHF_MAX_WAIT_S": "20",
    }
    slow = {
        "id": "slow",
        "task": "code",
        "response": "```python\nimport time\ntime.sleep(8)\nprint(1)\n```",
        "tests": {"kind": "stdio", "cases": [{"input": "", "output": "1\n"}]},
    }
    with running_server(env) as url:
        blocker = threading.Thread(target=lambda: httpx.post(f"{url}/score", json={"items": [slow]}, timeout=60))
        blocker.start()
        deadline = time.monotonic() + 10
        while metric_total(url, "reward_queue_depth") < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert httpx.post(f"{url}/score", json={"items": [slow]}, timeout=10).status_code == 429
        started = time.monotonic()
        executor = agent.SingleTurnAgentExecutor(remote_rm_url=[f"{url}/openrlhf"])
        output = rollout(executor, "1+1", "\\boxed{2}", "2")
        assert output["reward"] == [1.0], output
        assert time.monotonic() - started > 5  # it waited for the slow item, not for a retry
        blocker.join()
