"""Hard time bounds: a hanging verification costs one item, never the batch or the server."""

from __future__ import annotations

import asyncio
import time
from contextlib import aclosing

import uncooperative_jobs
from conftest import (
    HANG_ANSWER,
    HANG_GOLD,
    TEST_KILL_GRACE_S,
    TEST_MATH_TIMEOUT_S,
    corpus_path,
    load_jsonl,
    math_item,
    score,
)
from fastapi.testclient import TestClient

from reward_service.dispatch.local import LocalDispatcher
from reward_service.dispatch.math_pool import MathPool
from reward_service.verifiers.jobs import MathJob
from reward_service.verifiers.verdict import Verdict


def test_hang_input_times_out_while_the_rest_of_the_batch_is_scored(client: TestClient) -> None:
    rows = load_jsonl(corpus_path("qwen_math_cot_100.jsonl"))
    normal = [math_item(f"n{i}", row["code"][i % 8], row["gt"]) for i, row in enumerate(rows)]
    items = normal[:50] + [math_item("hang", HANG_ANSWER, HANG_GOLD)] + normal[50:]
    started = time.monotonic()
    results = score(client, items)
    elapsed = time.monotonic() - started
    hang = results[50]
    assert hang["id"] == "hang"
    assert hang["status"] == "timeout"
    assert hang["score"] is None
    assert elapsed < TEST_MATH_TIMEOUT_S + 2
    others = results[:50] + results[51:]
    assert len(others) == 100
    assert all(r["status"] in {"correct", "wrong"} for r in others), [
        r for r in others if r["status"] not in {"correct", "wrong"}
    ]
    # The server goes on scoring after the timeout.
    assert score(client, [math_item("after", "\\boxed{2}", "\\frac{4}{2}")])[0]["status"] == "correct"


def test_timeouts_are_counted_in_metrics(client: TestClient) -> None:
    score(client, [math_item("hang", HANG_ANSWER, HANG_GOLD)])
    assert 'reward_timeouts_total{task="math"}' in client.get("/metrics").text


def _misbehaving(memory_mb: int = 0) -> LocalDispatcher:
    pool = MathPool(1, TEST_MATH_TIMEOUT_S, TEST_KILL_GRACE_S, memory_mb, verify=uncooperative_jobs.misbehave)
    return LocalDispatcher(pool)


async def _one(dispatcher: LocalDispatcher, answer: str) -> Verdict:
    async with aclosing(dispatcher.verify_stream([MathJob(answer, "1")])) as stream:
        async for _, verdict in stream:
            return verdict
    raise AssertionError("no verdict")


def test_uninterruptible_job_is_killed_and_its_worker_replaced() -> None:
    async def scenario() -> None:
        dispatcher = _misbehaving()
        try:
            await dispatcher.start()
            before = await _one(dispatcher, "pid")
            started = time.monotonic()
            hung = await _one(dispatcher, "sleep:60")
            assert time.monotonic() - started < TEST_MATH_TIMEOUT_S + TEST_KILL_GRACE_S + 2
            assert hung.status == "timeout" and hung.reward is None
            assert "replaced" in hung.details["error"]
            after = await _one(dispatcher, "pid")
            assert after.status == "correct"
            assert after.details["pid"] != before.details["pid"]
            # A crashed worker is an error on its item, and the pool recovers again.
            crashed = await _one(dispatcher, "crash")
            assert crashed.status == "error" and crashed.reward is None
            assert (await _one(dispatcher, "pid")).status == "correct"
        finally:
            await dispatcher.aclose()

    asyncio.run(scenario())


def test_power_tower_from_the_issue_is_bounded(client: TestClient) -> None:
    """`\\boxed{5^{5^{5^{5}}}}` hangs a plain math-verify call; against gold 3 it is `wrong` at once."""
    started = time.monotonic()
    [result] = score(client, [math_item("tower", "\\boxed{5^{5^{5^{5}}}}", "3")])
    assert time.monotonic() - started < TEST_MATH_TIMEOUT_S + 2
    assert (result["status"], result["score"]) == ("wrong", 0.0)


def test_worker_memory_limit_fails_only_the_greedy_job() -> None:
    async def scenario() -> None:
        dispatcher = _misbehaving(memory_mb=512)
        try:
            await dispatcher.start()
            greedy = await _one(dispatcher, "allocate:1024")
            assert greedy.status == "error" and greedy.reward is None
            assert "MiB" in greedy.details["error"]
            assert (await _one(dispatcher, "allocate:16")).status == "correct"
            assert (await _one(dispatcher, "pid")).status == "correct"
        finally:
            await dispatcher.aclose()

    asyncio.run(scenario())
