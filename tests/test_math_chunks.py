"""The math workers' chunk pool: verdicts in order, a hard timeout per answer, a dead process replaced."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from reward_service.dispatch.math_chunks import MathChunkPool
from reward_service.verifiers.jobs import MathJob

HANG = "5^{5^{5^{5}}}"  # a C-level power SIGALRM cannot interrupt


@pytest.fixture(scope="module")
def pool() -> Iterator[MathChunkPool]:
    chunk_pool = MathChunkPool(processes=2, budget_s=1.0, kill_grace_s=0.5, memory_mb=1024)
    chunk_pool.start()
    yield chunk_pool
    chunk_pool.close()


def test_verdicts_come_back_in_order(pool: MathChunkPool) -> None:
    jobs = [MathJob(f"\\frac{{{2 * k}}}{{2}}", str(k if k % 3 else k + 1)) for k in range(40)]
    verdicts = pool.verify(jobs)
    assert [v.status for v in verdicts] == ["correct" if k % 3 else "wrong" for k in range(40)]


def test_a_hang_costs_its_own_answer_and_about_the_hard_timeout(pool: MathChunkPool) -> None:
    jobs = [MathJob("\\frac{1}{2}", "0.5"), MathJob(HANG, "1"), *[MathJob(f"{k}.0", str(k)) for k in range(10)]]
    started = time.monotonic()
    verdicts = pool.verify(jobs)
    elapsed = time.monotonic() - started
    assert verdicts[1].status == "timeout" and verdicts[1].reward is None
    assert [v.status for i, v in enumerate(verdicts) if i != 1] == ["correct"] * 11
    assert elapsed < 6, elapsed  # one hard timeout (1.5 s) plus a replacement process, not one per answer
    # The replaced process works.
    assert pool.verify([MathJob("3", "3.0")])[0].status == "correct"
