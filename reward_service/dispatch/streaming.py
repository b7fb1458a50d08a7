"""Verdicts as they arrive, within a deadline, whichever dispatcher runs the jobs.

Every dispatcher streams its verdicts; this adds what the pipeline needs on top:
progress (for GET /jobs/{id}) and a deadline after which the items still
unverified come back `timeout` instead of holding the request. Leaving the
stream at the deadline cancels the work not started yet: queued chunks are
withdrawn, answers no math process has taken are dropped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from contextlib import aclosing

from reward_service.dispatch.base import Dispatcher
from reward_service.verifiers.jobs import Job
from reward_service.verifiers.verdict import Verdict


async def verify_within(
    dispatcher: Dispatcher,
    jobs: Sequence[Job],
    deadline_s: float | None,
    on_verdict: Callable[[int], None] | None = None,
) -> list[Verdict]:
    """One verdict per job, in order; jobs not verified within ``deadline_s`` get `timeout`."""
    verdicts: list[Verdict | None] = [None] * len(jobs)

    async def collect() -> None:
        async with aclosing(dispatcher.verify_stream(jobs)) as stream:
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
