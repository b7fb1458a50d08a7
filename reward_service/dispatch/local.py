"""The embedded default: math in this host's `MathPool`, code in this host's `CodeRunner`.

The dispatcher only routes: each job goes to the one that runs its task, and
verdicts stream back as they come. Leaving the stream early (the request's
deadline) abandons the math answers still out (a process busy on one is
replaced) and cancels the code runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Sequence

from reward_service.dispatch.code_runner import CodeRunner
from reward_service.dispatch.math_pool import MathPool
from reward_service.dispatch.sandbox_report import SandboxReport
from reward_service.settings import Settings
from reward_service.verifiers.jobs import CodeJob, Job, MathJob, RunJob
from reward_service.verifiers.verdict import Verdict


class LocalDispatcher:
    def __init__(self, math: MathPool, code: CodeRunner | None = None) -> None:
        self.math = math
        self.code = code
        self.workers = math.size
        self.ready = False

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalDispatcher:
        math = MathPool(
            settings.workers, settings.math_timeout_s, settings.math_kill_grace_s, settings.worker_memory_mb
        )
        return cls(math, CodeRunner.from_settings(settings))

    @property
    def pending(self) -> int:
        return self.math.pending + (self.code.pending if self.code is not None else 0)

    @property
    def warm_sandboxes(self) -> int:
        return self.code.warm if self.code is not None else 0

    async def start(self) -> None:
        """Warm the math processes and the sandbox pool, so /readyz means it."""
        await asyncio.to_thread(self.math.start)
        if self.code is not None:
            await self.code.start()
        self.ready = True

    async def sandbox_report(self) -> SandboxReport:
        if self.code is None:
            return SandboxReport.of_pool(None, {})
        return self.code.report()

    async def verify_stream(self, jobs: Sequence[Job]) -> AsyncGenerator[tuple[int, Verdict], None]:
        code_jobs = sum(isinstance(job, CodeJob) for job in jobs)
        tasks = [asyncio.ensure_future(self._verify_one(index, job, code_jobs)) for index, job in enumerate(jobs)]
        try:
            for next_done in asyncio.as_completed(tasks):
                yield await next_done
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _verify_one(self, index: int, job: Job, code_jobs: int) -> tuple[int, Verdict]:
        if isinstance(job, MathJob):
            future = self.math.submit(job)
            try:
                return index, await asyncio.wrap_future(future)
            except asyncio.CancelledError:
                self.math.abandon([future])  # the deadline: stop it, even mid-verification
                raise
        if self.code is None:
            return index, Verdict("sandbox_error", None, {"error": "code verification is not enabled here"})
        if isinstance(job, RunJob):
            return index, await self.code.run(job)
        return index, await self.code.verify(job, alongside=code_jobs)

    async def aclose(self) -> None:
        self.ready = False
        if self.code is not None:
            await self.code.aclose()
        await asyncio.to_thread(self.math.close)
