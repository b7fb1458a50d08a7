"""What an RQ worker runs for a chunk: the chunk job, its reply, and the worker's warm verifier.

`verify_chunk` is a plain importable function, so any RQ worker that can import
`reward_service` can run it. It hands the chunk to the worker process's warm
verifier: for math, the `MathPool` the API also uses (verifier processes with
math-verify imported, a hard timeout per answer); for code, a `CodeRunner` with
its warm sandbox pool. The verifier lives as long as the worker process:
`reward-service worker` builds it once before it takes any job
(`serving_chunks`), and a plain `rq worker` builds it on the first chunk. That
is the one piece of module state here; it belongs to the worker process's
lifetime, which RQ's job-function model gives no other place to keep, and the
API process never touches it.

The verdicts go back on the request's own reply list (`deliver_chunk`, RQ's
on_success callback) as JSON, so the API waits with one blocking pop instead of
polling every job.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any, Protocol

from redis import Redis
from rq.job import Job as RQJob

from reward_service.dispatch.code_runner import CodeRunner
from reward_service.dispatch.math_pool import MathPool
from reward_service.dispatch.sandbox_report import SandboxReport
from reward_service.exceptions import ProblemFetchError
from reward_service.problems.fetch import WorkerProblems
from reward_service.settings import Settings
from reward_service.verifiers.jobs import CodeJob, Job, MathJob, ProblemCodeJob, RunJob
from reward_service.verifiers.verdict import Verdict, verdict_to_json


class ChunkVerifier(Protocol):
    def verify(self, jobs: Sequence[Job | ProblemCodeJob]) -> list[Verdict]: ...

    def sandbox_report(self) -> SandboxReport | None:
        """What this worker's sandboxes run; None for a worker without sandboxes."""
        ...

    def close(self) -> None: ...


class CodeChunks:
    """Code chunks through a warm CodeRunner, on one event loop for the worker's whole life."""

    def __init__(self, runner: CodeRunner, problems: WorkerProblems | None = None) -> None:
        self.runner = runner
        self.problems = problems
        self._loop = asyncio.new_event_loop()

    def start(self) -> None:
        self._loop.run_until_complete(self.runner.start())

    def verify(self, jobs: Sequence[Job | ProblemCodeJob]) -> list[Verdict]:
        task = self._loop.create_task(self._verify(jobs))
        try:
            return self._loop.run_until_complete(task)
        except BaseException:
            # RQ's job timeout (a signal) can interrupt the loop: stop the chunk's
            # programs too, so the sandboxes are free for the next chunk.
            task.cancel()
            with suppress(BaseException):
                self._loop.run_until_complete(task)
            raise

    async def _verify(self, jobs: Sequence[Job | ProblemCodeJob]) -> list[Verdict]:
        wrong_queue = Verdict("sandbox_error", None, {"error": "a math item reached a code worker"})

        async def one(job: Job | ProblemCodeJob) -> Verdict:
            if isinstance(job, ProblemCodeJob):
                if self.problems is None:
                    return Verdict("error", None, {"error": "this code worker has no problem store (REWARD_REDIS_URL)"})
                try:
                    tests = await asyncio.to_thread(self.problems.tests_for, job.problem)
                except ProblemFetchError as exc:
                    return Verdict("error", None, {"error": str(exc)})
                job = job.with_tests(tests)
            if isinstance(job, RunJob):
                return await self.runner.run(job)
            return await self.runner.verify(job, alongside=len(jobs)) if isinstance(job, CodeJob) else wrong_queue

        return list(await asyncio.gather(*(one(job) for job in jobs)))

    def sandbox_report(self) -> SandboxReport | None:
        return self.runner.report()

    def close(self) -> None:
        with suppress(Exception):
            self._loop.run_until_complete(self.runner.aclose())
        self._loop.close()
        if self.problems is not None:
            self.problems.close()


class MathChunks:
    """Math chunks through a MathPool; anything else (never queued here) gets an explicit error."""

    def __init__(self, pool: MathPool) -> None:
        self.pool = pool

    def verify(self, jobs: Sequence[Job | ProblemCodeJob]) -> list[Verdict]:
        math = [i for i, job in enumerate(jobs) if isinstance(job, MathJob)]
        verdicts = dict(zip(math, self.pool.verify([jobs[i] for i in math]), strict=True))  # type: ignore[misc]
        wrong_queue = Verdict("error", None, {"error": "a code item reached a math worker"})
        return [verdicts.get(i, wrong_queue) for i in range(len(jobs))]

    def sandbox_report(self) -> SandboxReport | None:
        return None

    def close(self) -> None:
        self.pool.close()


_verifier: ChunkVerifier | None = None


def build_verifier(settings: Settings, task: str = "math", processes: int | None = None) -> ChunkVerifier:
    """A warm verifier for ``task``'s chunks, configured like the API's, sized by ``processes``.

    ``processes``: math verifier processes for the math queue, sandboxes (programs at
    once) for the code queue.
    """
    if task == "math":
        pool = MathPool(
            processes or settings.workers,
            settings.math_timeout_s,
            settings.math_kill_grace_s,
            settings.worker_memory_mb,
        )
        pool.start()
        return MathChunks(pool)
    problems = WorkerProblems(settings.redis_url) if settings.redis_url else None
    chunks = CodeChunks(CodeRunner.from_settings(settings, sandboxes=processes), problems)
    chunks.start()
    return chunks


@contextmanager
def serving_chunks(verifier: ChunkVerifier) -> Iterator[ChunkVerifier]:
    """Make ``verifier`` the one `verify_chunk` uses for as long as this worker process works."""
    global _verifier
    _verifier = verifier
    try:
        yield verifier
    finally:
        _verifier = None
        verifier.close()


def verify_chunk(jobs: Sequence[Job | ProblemCodeJob]) -> list[dict[str, Any]]:
    """The RQ job: verify a chunk, verdicts as JSON in the chunk's order."""
    global _verifier
    if _verifier is None:
        _verifier = build_verifier(Settings(), _task_of(jobs))
    return [verdict_to_json(verdict) for verdict in _verifier.verify(jobs)]


def _task_of(jobs: Sequence[Job | ProblemCodeJob]) -> str:
    return jobs[0].task if jobs else "math"


def deliver_chunk(job: RQJob, connection: Redis, result: list[dict[str, Any]]) -> None:
    """RQ on_success callback: push the chunk's verdicts onto its request's reply list."""
    reply_to = job.meta["reply_to"]
    message = json.dumps({"chunk": job.meta["chunk"], "verdicts": result})
    with connection.pipeline(transaction=False) as pipe:
        pipe.rpush(reply_to, message)
        # A reply nobody pops (its request gave up) must not stay in Redis.
        pipe.expire(reply_to, int(job.meta["reply_ttl_s"]))
        pipe.execute()
