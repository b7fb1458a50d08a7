"""POST /openrlhf: OpenRLHF's remote reward-model format (OpenRLHF 0.11.0, `_fetch_rewards_via_http`)."""

from __future__ import annotations

import asyncio
import json
import time
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from fastapi import HTTPException
from fastapi.testclient import TestClient

from reward_service.api.backpressure import HeldRequests
from reward_service.api.openrlhf import response_from_query
from reward_service.app import create_app
from reward_service.settings import Settings
from tests.conftest import make_settings

CHATML_PROMPT = "<|im_start|>system\nReason, then box the answer.<|im_end|>\n<|im_start|>user\nWhat is 2+2? (e.g. \\boxed{5} is wrong)<|im_end|>\n<|im_start|>assistant\n"


def post_like_openrlhf(client: TestClient, queries: list[str], prompts: list[str], labels: list[object]) -> dict:
    response = client.post("/openrlhf", json={"query": queries, "prompts": prompts, "labels": labels})
    response.raise_for_status()
    return response.json()


def test_prompt_and_trailing_special_tokens_are_stripped(client: TestClient) -> None:
    queries = [
        CHATML_PROMPT + "2+2 is \\boxed{4}<|im_end|><|endoftext|>",
        CHATML_PROMPT + "Hmm.<|im_end|>",  # without stripping, the prompt's \boxed{5} would be read
        CHATML_PROMPT + "\\boxed{3}<|im_end|>",
    ]
    answer = post_like_openrlhf(client, queries, [CHATML_PROMPT] * 3, ["4", "4", "4"])
    assert answer == {
        "rewards": [1.0, 0.0, 0.0],
        "scores": [1.0, 0.0, 0.0],
        "extra_logs": {"accuracy": [1.0, 0.0, 0.0], "undecided": [0.0, 0.0, 0.0]},
    }


def test_response_from_query() -> None:
    assert response_from_query("PROMPT answer </s>", "PROMPT") == " answer"
    assert response_from_query("ans<｜end▁of▁sentence｜>", None) == "ans"
    assert response_from_query("x<|eot_id|>\n<|end_of_text|>  ", "") == "x"
    # OpenRLHF keeps the end of a prompt that is too long; the tail still locates the response.
    long_prompt = "P" * 1000 + "question: 3*3?\n"
    assert response_from_query(long_prompt[-300:] + "9<eos>", long_prompt) == "9"
    assert response_from_query("no prompt inside 9", "something else") == "no prompt inside 9"


def test_labels_for_code_and_bad_labels(client: TestClient) -> None:
    tests = {"kind": "stdio", "cases": [{"input": "", "output": "1\n"}]}
    queries = ["Q:```python\nprint(1)\n```", "Q:no code", "Q:\\boxed{1}", "Q:\\boxed{1}", "Q:\\boxed{\\{1,2\\}}"]
    labels = [json.dumps({"tests": tests, "language": "python"}), tests, None, {"tests": {"kind": "nope"}}, "{1,2}"]
    answer = post_like_openrlhf(client, queries, ["Q:"] * 5, labels)
    code_reward = answer["rewards"][0]
    assert code_reward in (0.0, 1.0)
    assert answer["extra_logs"]["undecided"][0] == (0.0 if code_reward == 1.0 else 1.0)
    assert answer["rewards"][1:] == [0.0, 0.0, 0.0, 1.0]
    # A missing or unusable label is an error result: reward 0.0, flagged as undecided.
    assert answer["extra_logs"]["undecided"][2:4] == [1.0, 1.0]
    assert answer["extra_logs"]["accuracy"] == [code_reward, 0.0, 0.0, 0.0, 1.0]


def test_mismatched_lists_are_rejected_with_the_field_named(client: TestClient) -> None:
    response = client.post("/openrlhf", json={"query": ["a", "b"], "prompts": ["a"], "labels": ["1", "2"]})
    assert response.status_code == 422
    assert "prompts" in response.json()["detail"]


def test_served_over_http_in_openrlhfs_shape(live_server: str) -> None:
    payload = {"query": [CHATML_PROMPT + "\\boxed{4}<|im_end|>"], "prompts": [CHATML_PROMPT], "labels": ["4"]}
    response = httpx.post(f"{live_server}/openrlhf", json=payload, timeout=30)
    response.raise_for_status()
    rewards_info = response.json()
    assert rewards_info.get("scores") == [1.0] and rewards_info.get("rewards") == [1.0]


def test_an_empty_shard_gets_an_empty_answer(client: TestClient) -> None:
    # OpenRLHF <= 0.11.0 with several URLs posts empty lists to some of them; a 422 nulls the step's rewards.
    response = client.post("/openrlhf", json={"query": [], "prompts": [], "labels": []})
    assert response.status_code == 200, response.text
    assert response.json() == {"rewards": [], "scores": [], "extra_logs": {"accuracy": [], "undecided": []}}


def test_the_routes_options_come_from_settings() -> None:
    think = "<think>2 and 2 make 4</think> \\boxed{4}"
    settings = make_settings(openrlhf_options={"format": {"weight": 0.5}}, sandbox_pool_size=1)
    with TestClient(create_app(settings)) as configured:
        answer = post_like_openrlhf(configured, ["Q:" + think, "Q:\\boxed{4}"], ["Q:", "Q:"], ["4", "4"])
    assert answer["rewards"] == [1.5, 1.0]


def test_invalid_route_options_stop_the_server_from_starting() -> None:
    with pytest.raises(ValueError, match="REWARD_OPENRLHF_OPTIONS"):
        create_app(Settings(openrlhf_options={"format": {"weight": "heavy"}}))


def _hold(held: HeldRequests, ctx: object, max_wait_s: float) -> Any:
    async def enter() -> None:
        async with held.admitted(ctx, max_wait_s):  # type: ignore[arg-type]
            pass

    return enter()


def test_the_backpressure_hold_is_bounded() -> None:
    busy = SimpleNamespace(dispatcher=SimpleNamespace(pending=3), settings=Settings(max_queue_depth=1))
    started = time.monotonic()
    with pytest.raises(HTTPException) as refused:
        asyncio.run(_hold(HeldRequests(), busy, 0.3))
    assert refused.value.status_code == 429 and refused.value.headers == {"Retry-After": "2"}
    assert 0.3 <= time.monotonic() - started < 2

    async def drains() -> None:
        async def later() -> None:
            await asyncio.sleep(0.2)
            busy.dispatcher.pending = 0

        task = asyncio.create_task(later())
        await _hold(HeldRequests(), busy, 10)
        await task

    started = time.monotonic()
    asyncio.run(drains())
    assert time.monotonic() - started < 2


def test_held_requests_enter_in_order_at_most_the_limit_at_a_time() -> None:
    """800 requests held behind a queue limit of 1 all went in together once it drained:
    each saw the same free room before any had queued its items."""
    ctx = SimpleNamespace(dispatcher=SimpleNamespace(pending=1), settings=Settings(max_queue_depth=1))
    held = HeldRequests()
    entered: list[int] = []
    inside = 0
    most_inside = 0

    async def request(number: int) -> None:
        nonlocal inside, most_inside
        async with held.admitted(ctx, 30):  # type: ignore[arg-type]
            entered.append(number)
            inside += 1
            most_inside = max(most_inside, inside)
            await asyncio.sleep(0.001)  # parsing, planning: its items are not queued yet
            inside -= 1

    async def burst() -> None:
        requests = [asyncio.create_task(request(number)) for number in range(200)]
        await asyncio.sleep(0.1)  # all held: the queue is full
        ctx.dispatcher.pending = 0
        await asyncio.gather(*requests)

    asyncio.run(burst())
    assert most_inside == 1
    assert entered == list(range(200))


def test_apps_shaped_labels_are_judged_by_the_datasets_rules(sandbox_client: TestClient) -> None:
    # The label as APPS/TACO-derived data holds it: a JSON string; call-based outputs wrapped in lists.
    call = json.dumps({"fn_name": "add", "inputs": [[1, 2], [5, 7]], "outputs": [[3], [12]]})
    stdin = json.dumps({"inputs": ["1 2\n"], "outputs": ["3\n"]})
    queries = [
        "Q:```python\ndef add(a, b):\n    return a + b\n```",
        "Q:```python\ndef add(a, b):\n    return a - b\n```",
        "Q:```python\na, b = map(int, input().split())\nprint(a + b)\n```",
    ]
    answer = post_like_openrlhf(sandbox_client, queries, ["Q:"] * 3, [call, call, stdin])
    assert answer["rewards"] == [1.0, 0.0, 1.0], answer
    assert answer["extra_logs"]["undecided"] == [0.0, 0.0, 0.0]
