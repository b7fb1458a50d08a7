"""What the pipeline needs from a dispatcher, whichever one runs the jobs."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from typing import Protocol

from reward_service.dispatch.sandbox_report import SandboxReport
from reward_service.verifiers.jobs import Job
from reward_service.verifiers.verdict import Verdict


class Dispatcher(Protocol):
    """Routes verification jobs to where they run, and streams their verdicts back.

    ``verify_stream`` yields (index into ``jobs``, verdict) pairs in completion
    order, each index once, and never raises for one job's failure: a timeout or
    a dead worker is that job's Verdict. Closing the stream early cancels the
    jobs that have not started.
    """

    workers: int
    ready: bool

    @property
    def pending(self) -> int:
        """Jobs handed over and not yet answered (the backpressure depth)."""
        ...

    @property
    def warm_sandboxes(self) -> int:
        """Sandboxes warm in this process (0 where code runs elsewhere)."""
        ...

    async def sandbox_report(self) -> SandboxReport:
        """What the code sandboxes behind this dispatcher run (GET /languages)."""
        ...

    async def start(self) -> None: ...

    def verify_stream(self, jobs: Sequence[Job]) -> AsyncGenerator[tuple[int, Verdict], None]: ...

    async def aclose(self) -> None: ...
