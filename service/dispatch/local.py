"""The embedded default: a pool of verifier worker processes inside the API process.

Each job runs in a worker process with a soft time budget (SIGALRM inside the
worker) and a hard one here: a worker still busy at budget + grace is killed and
replaced by pebble, so a pathological input (a C-level hang in SymPy or a huge
integer power) costs one item a `timeout`, never the batch or the event loop.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import resource
from collections.abc import Callable, Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from pebble import ProcessExpired, ProcessPool

from service.verifiers.jobs import Job, MathJob
from service.verifiers.math.verifier import verify_math_answer, warm_up
from service.verifiers.verdict import Verdict

_PRELOAD = ["service.verifiers.math.verifier"]


def _init_worker(memory_mb: int) -> None:
    # A blown-up expression should fail its own item with MemoryError, not push
    # the host into swap or the OOM killer.
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    warm_up()


class LocalDispatcher:
    def __init__(self, workers: int, math_budget_s: float, kill_grace_s: float, memory_mb: int = 0) -> None:
        # forkserver: workers never inherit the API's threads and event loop, and a
        # replacement worker forks from a server that already imported SymPy.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        self._pool = ProcessPool(max_workers=workers, initializer=_init_worker, initargs=(memory_mb,), context=context)
        self._math_budget_s = math_budget_s
        self._hard_timeout_s = math_budget_s + kill_grace_s
        self.workers = workers
        self.pending = 0
        self.ready = False

    async def start(self) -> None:
        """Wait until one worker has warmed up, so /readyz means it."""
        await self.verify([MathJob("1", "1")])
        self.ready = True

    async def verify(self, jobs: Sequence[Job]) -> list[Verdict]:
        return list(await asyncio.gather(*(self._verify_one(job) for job in jobs)))

    async def _verify_one(self, job: Job) -> Verdict:
        return await self.run(
            verify_math_answer, (job.answer, job.ground_truth, self._math_budget_s), self._hard_timeout_s
        )

    async def run(self, job: Callable[..., Verdict], args: tuple[Any, ...], hard_timeout_s: float) -> Verdict:
        """Run ``job(*args)`` in a worker; whatever happens there comes back as a Verdict."""
        self.pending += 1
        try:
            future = self._pool.schedule(job, args=args, timeout=hard_timeout_s)
            return await asyncio.wrap_future(future)
        except FutureTimeout:
            return Verdict(
                "timeout",
                None,
                {"error": f"verification did not finish in {hard_timeout_s:g} s; its worker was replaced"},
            )
        except ProcessExpired as exc:
            return Verdict("error", None, {"error": f"verifier worker died (exit code {exc.exitcode}); it was replaced"})
        except Exception as exc:  # our failure: reported on this item, never raised into the batch
            return Verdict("error", None, {"error": f"verifier failed: {type(exc).__name__}: {exc}"})
        finally:
            self.pending -= 1

    async def aclose(self) -> None:
        self.ready = False
        self._pool.stop()
        await asyncio.to_thread(self._pool.join, 10)
