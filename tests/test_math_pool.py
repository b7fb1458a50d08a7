"""The one math pool (API and RQ math workers): verdicts in order, a hard timeout per answer, a dead
process replaced, submissions from many threads and event loops at once, cancellation before start."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from reward_service.dispatch.math_pool import MathPool
from reward_service.verifiers.jobs import MathJob

HANG = "5^{5^{5^{5}}}"  # a C-level power SIGALRM cannot interrupt


@pytest.fixture(scope="module")
def pool() -> Iterator[MathPool]:
    chunk_pool = MathPool(processes=2, budget_s=1.0, kill_grace_s=0.5, memory_mb=1024)
    chunk_pool.start()
    yield chunk_pool
    chunk_pool.close()


def test_verdicts_come_back_in_order(pool: MathPool) -> None:
    jobs = [MathJob(f"\\frac{{{2 * k}}}{{2}}", str(k if k % 3 else k + 1)) for k in range(40)]
    verdicts = pool.verify(jobs)
    assert [v.status for v in verdicts] == ["correct" if k % 3 else "wrong" for k in range(40)]


def test_a_hang_costs_its_own_answer_and_about_the_hard_timeout(pool: MathPool) -> None:
    jobs = [MathJob("\\frac{1}{2}", "0.5"), MathJob(HANG, "1"), *[MathJob(f"{k}.0", str(k)) for k in range(10)]]
    started = time.monotonic()
    verdicts = pool.verify(jobs)
    elapsed = time.monotonic() - started
    assert verdicts[1].status == "timeout" and verdicts[1].reward is None
    assert [v.status for i, v in enumerate(verdicts) if i != 1] == ["correct"] * 11
    assert elapsed < 6, elapsed  # one hard timeout (1.5 s) plus a replacement process, not one per answer
    # The replaced process works.
    assert pool.verify([MathJob("3", "3.0")])[0].status == "correct"


def test_threads_submitting_at_once_each_get_their_own_verdicts(pool: MathPool) -> None:
    def chunk(offset: int) -> list[str]:
        jobs = [MathJob(str(offset + k), str(offset + k if k % 2 else offset + k + 1)) for k in range(30)]
        return [v.status for v in pool.verify(jobs)]

    with ThreadPoolExecutor(4) as threads:
        results = list(threads.map(chunk, [0, 1000, 2000, 3000]))
    assert results == [["wrong" if k % 2 == 0 else "correct" for k in range(30)]] * 4
    assert pool.pending == 0


def test_an_event_loop_awaits_answers_and_cancels_the_ones_not_started(pool: MathPool) -> None:
    async def scenario() -> tuple[list[str], int]:
        # Two hangs hold both processes (and the few answers batched behind them).
        hangs = [asyncio.wrap_future(pool.submit(MathJob(HANG, "1"))) for _ in range(2)]
        queued = [asyncio.wrap_future(pool.submit(MathJob(str(k), str(k)))) for k in range(40)]
        await asyncio.sleep(0.3)
        for future in queued:
            future.cancel()
        verdicts = await asyncio.gather(*hangs)
        # What was cancelled while waiting no longer counts as pending.
        return [v.status for v in verdicts], pool.pending

    statuses, pending = asyncio.run(scenario())
    assert statuses == ["timeout", "timeout"]
    assert pending <= 6  # at most the answers already sent to a process with a hang
    deadline = time.monotonic() + 10
    while pool.pending and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pool.pending == 0


def test_a_killed_process_costs_its_answer_an_error_and_is_replaced(pool: MathPool) -> None:
    future = pool.submit(MathJob(HANG, "1"))
    deadline = time.monotonic() + 5
    while not any(p.assigned for p in pool._processes) and time.monotonic() < deadline:
        time.sleep(0.01)
    (busy,) = [p for p in pool._processes if p.assigned]
    os.kill(busy.process.pid, signal.SIGKILL)  # type: ignore[arg-type]
    verdict = future.result(timeout=10)
    assert verdict.status == "error" and "died" in verdict.details["error"]
    assert pool.verify([MathJob("2", "2")])[0].status == "correct"


def test_closing_answers_every_outstanding_future() -> None:
    small = MathPool(processes=1, budget_s=1.0, kill_grace_s=0.5)
    small.start()
    futures = [small.submit(MathJob(HANG, "1")), *[small.submit(MathJob("1", "1")) for _ in range(5)]]
    small.close()
    assert all(f.done() for f in futures)
    assert {f.result().status for f in futures} <= {"error", "timeout", "correct"}
    assert small.submit(MathJob("1", "1")).result().status == "error"


def test_an_abandoned_hang_frees_its_process_at_once() -> None:
    slow = MathPool(processes=1, budget_s=30.0, kill_grace_s=5.0)
    slow.start()
    try:
        hang = slow.submit(MathJob(HANG, "1"))
        time.sleep(0.3)  # the only process is on it now
        started = time.monotonic()
        slow.abandon([hang])
        assert slow.pending == 0
        assert hang.result(timeout=1).status == "timeout"
        # Without the kill, this would wait for the hang's 35 s hard timeout.
        assert slow.verify([MathJob("\\frac{6}{3}", "2")])[0].status == "correct"
        assert time.monotonic() - started < 10
    finally:
        slow.close()
