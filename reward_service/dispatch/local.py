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

from reward_sandbox import SandboxPool, create_backend, probe_languages
from reward_service.dispatch.sandbox_report import SandboxReport
from reward_service.settings import Settings
from reward_service.verifiers.code.run import run_program
from reward_service.verifiers.code.verifier import CompileSettings, verify_code
from reward_service.verifiers.jobs import CodeJob, Job, MathJob, RunJob
from reward_service.verifiers.math.verifier import verify_math_answer, warm_up
from reward_service.verifiers.verdict import Verdict

_PRELOAD = ["reward_service.verifiers.math.verifier"]


def _init_worker(memory_mb: int) -> None:
    # A blown-up expression should fail its own item with MemoryError, not push
    # the host into swap or the OOM killer.
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    warm_up()


def build_code_pool(settings: Settings) -> SandboxPool:
    backend = create_backend(settings.sandbox_backend, settings.code_maxima(), image=settings.sandbox_image)
    return SandboxPool(backend, settings.sandbox_pool_size, settings.sandbox_recycle)


class LocalDispatcher:
    """Math jobs go to the process pool; code jobs to the warm sandbox pool, from the event loop
    (running a program is waiting on a sandbox, not CPU work in this process)."""

    def __init__(
        self,
        workers: int,
        math_budget_s: float,
        kill_grace_s: float,
        memory_mb: int = 0,
        *,
        code_pool: SandboxPool | None = None,
        compile_settings: CompileSettings | None = None,
        allow_unsafe_code: bool = False,
    ) -> None:
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
        self.code_pool = code_pool
        self.languages: dict[str, str | None] = {}
        self._compile = compile_settings or CompileSettings()
        self._allow_unsafe_code = allow_unsafe_code

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalDispatcher:
        return cls(
            settings.workers,
            settings.math_timeout_s,
            settings.math_kill_grace_s,
            settings.worker_memory_mb,
            code_pool=build_code_pool(settings),
            compile_settings=CompileSettings(time_s=settings.code_compile_timeout_s),
            allow_unsafe_code=settings.sandbox_allow_unsafe,
        )

    async def start(self) -> None:
        """Warm one math worker and the sandbox pool, so /readyz means it."""
        if self.code_pool is not None:
            await self.code_pool.start()
            if self.code_pool.unavailable is not None and self._allow_unsafe_code:
                reason = self.code_pool.unavailable
                await self.code_pool.close()
                self.code_pool = SandboxPool(
                    create_backend("unsafe", self.code_pool.backend.maxima), self.code_pool.size
                )
                await self.code_pool.start()
                self.code_pool.warning = f"running code WITHOUT isolation (REWARD_SANDBOX_ALLOW_UNSAFE): {reason}"
            self.languages = await probe_languages(self.code_pool)
        await self.verify([MathJob("1", "1")])
        self.ready = True

    async def sandbox_report(self) -> SandboxReport:
        return SandboxReport.of_pool(self.code_pool, self.languages)

    async def verify(self, jobs: Sequence[Job]) -> list[Verdict]:
        return list(await asyncio.gather(*(self._verify_one(job) for job in jobs)))

    async def _verify_one(self, job: Job) -> Verdict:
        if isinstance(job, (CodeJob, RunJob)):
            if self.code_pool is None:
                return Verdict("sandbox_error", None, {"error": "code verification is not enabled in this deployment"})
            self.pending += 1
            try:
                if isinstance(job, RunJob):
                    return await run_program(job, self.code_pool, self._compile)
                return await verify_code(job, self.code_pool, self._compile)
            finally:
                self.pending -= 1
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
            return Verdict(
                "error", None, {"error": f"verifier worker died (exit code {exc.exitcode}); it was replaced"}
            )
        except Exception as exc:  # our failure: reported on this item, never raised into the batch
            return Verdict("error", None, {"error": f"verifier failed: {type(exc).__name__}: {exc}"})
        finally:
            self.pending -= 1

    async def aclose(self) -> None:
        self.ready = False
        if self.code_pool is not None:
            await self.code_pool.close()
        self._pool.stop()
        await asyncio.to_thread(self._pool.join, 10)
