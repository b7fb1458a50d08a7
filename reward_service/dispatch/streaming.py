"""Verdicts as they arrive, within a deadline, whichever dispatcher runs the jobs.

The pipeline needs two things the plain `Dispatcher.verify` cannot give: progress
(for GET /jobs/{id}) and a deadline after which the items still unverified come
back `timeout` instead of holding the request. A dispatcher that can report
verdicts as they arrive (`StreamingDispatcher`, e.g. RQ, chunk by chunk) does so;
any other is driven one job per call, which for the embedded pool is what
`verify` does inside anyway. Either way, leaving the stream early (the deadline)
cancels the work still pending: queued chunks are withdrawn, running pool jobs
are stopped.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable, Sequence
from contextlib import aclosing
from typing import Protocol, runtime_checkable

from reward_service.dispatch.base import Dispatcher
from reward_service.verifiers.jobs import Job
from reward_service.verifiers.verdict import Verdict


@runtime_checkable
class StreamingDispatcher(Protocol):
    def verify_stream(self, jobs: Sequence[Job]) -> AsyncGenerator[tuple[int, Verdict], None]:
        """(index into ``jobs``, verdict) pairs in completion order, each index once."""
        ...


async def verify_within(
    dispatcher: Dispatcher,
    jobs: Sequence[Job],
    deadline_s: float | None,
    on_verdict: Callable[[int], None] | None = None,
) -> list[Verdict]:
    """One verdict per job, in order; jobs not verified within ``deadline_s`` get `timeout`."""
    verdicts: list[Verdict | None] = [None] * len(jobs)

    async def collect() -> None:
        async with aclosing(_stream(dispatcher, jobs)) as stream:
            async for index, verdict in stream:
                verdicts[index] = verdict
                if on_verdict is not None:
                    on_verdict(index)

    if jobs:
        try:
            await asyncio.wait_for(collect(), timeout=deadline_s)
        except asyncio.TimeoutError:
            pass
    late = Verdict(
        "timeout",
        None,
        {"error": f"not verified within the request deadline of {deadline_s or 0:g} s (options.deadline_s)"},
    )
    return [verdict if verdict is not None else late for verdict in verdicts]


def _stream(dispatcher: Dispatcher, jobs: Sequence[Job]) -> AsyncGenerator[tuple[int, Verdict], None]:
    if isinstance(dispatcher, StreamingDispatcher):
        return dispatcher.verify_stream(jobs)
    return _one_call_per_job(dispatcher, jobs)


async def _one_call_per_job(dispatcher: Dispatcher, jobs: Sequence[Job]) -> AsyncGenerator[tuple[int, Verdict], None]:
    async def one(index: int, job: Job) -> tuple[int, Verdict]:
        (verdict,) = await dispatcher.verify([job])
        return index, verdict

    tasks = [asyncio.ensure_future(one(index, job)) for index, job in enumerate(jobs)]
    try:
        for next_done in asyncio.as_completed(tasks):
            yield await next_done
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
