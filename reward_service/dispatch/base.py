"""What the pipeline needs from a dispatcher, whichever one runs the jobs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from reward_service.dispatch.sandbox_report import SandboxReport
from reward_service.verifiers.jobs import Job
from reward_service.verifiers.verdict import Verdict


class Dispatcher(Protocol):
    """Runs verification jobs somewhere else than the event loop.

    ``verify`` returns one Verdict per job, in order, and never raises for one
    job's failure: a timeout or a dead worker is that job's Verdict.
    """

    workers: int
    ready: bool

    @property
    def pending(self) -> int: ...

    async def sandbox_report(self) -> SandboxReport:
        """What the code sandboxes behind this dispatcher run (GET /languages)."""
        ...

    async def start(self) -> None: ...

    async def verify(self, jobs: Sequence[Job]) -> list[Verdict]: ...

    async def aclose(self) -> None: ...
