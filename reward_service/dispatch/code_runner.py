"""The code runner: a warm sandbox pool and the code verifier, for the API and for RQ code workers.

Running a program is waiting on a sandbox, not CPU work in this process, so code
jobs run on the event loop. Where the configured backend cannot start and
`REWARD_SANDBOX_ALLOW_UNSAFE` is set, the runner falls back to the unsafe
backend and says so in every report.
"""

from __future__ import annotations

from reward_sandbox import Language, SandboxPool, create_backend, probe_languages
from reward_service.dispatch.sandbox_report import SandboxReport
from reward_service.settings import Settings
from reward_service.verifiers.code.kinds import KindModel
from reward_service.verifiers.code.limits import CompileSettings
from reward_service.verifiers.code.run import run_program
from reward_service.verifiers.code.verifier import verify_code_spread
from reward_service.verifiers.jobs import CodeJob, RunJob
from reward_service.verifiers.verdict import Verdict


class CodeRunner:
    def __init__(
        self, pool: SandboxPool, compile_settings: CompileSettings | None = None, *, allow_unsafe: bool = False
    ) -> None:
        self._pool = pool
        self._compile = compile_settings or CompileSettings()
        self._allow_unsafe = allow_unsafe
        self.languages: dict[str, str | None] = {}
        self.pending = 0

    @classmethod
    def from_settings(cls, settings: Settings, sandboxes: int | None = None) -> CodeRunner:
        backend = create_backend(settings.sandbox_backend, settings.code_maxima(), image=settings.sandbox_image)
        pool = SandboxPool(backend, sandboxes or settings.sandbox_pool_size, settings.sandbox_recycle)
        compile_settings = CompileSettings(
            time_s=settings.code_compile_timeout_s, judge_library=settings.judge_library()
        )
        return cls(pool, compile_settings, allow_unsafe=settings.sandbox_allow_unsafe)

    @property
    def pool(self) -> SandboxPool:
        return self._pool

    @property
    def warm(self) -> int:
        """Sandboxes started and idle or busy (the reward_sandbox_pool_size gauge)."""
        return self._pool.warm

    async def start(self) -> None:
        await self._pool.start()
        if self._pool.unavailable is not None and self._allow_unsafe:
            reason = self._pool.unavailable
            await self._pool.close()
            self._pool = SandboxPool(create_backend("unsafe", self._pool.backend.maxima), self._pool.size)
            await self._pool.start()
            self._pool.warning = f"running code WITHOUT isolation (REWARD_SANDBOX_ALLOW_UNSAFE): {reason}"
        self.languages = await probe_languages(self._pool)

    def _missing(self, language: Language, tests: KindModel | None = None) -> Verdict | None:
        """An `error` for a program or a judge in a language this deployment's sandbox was
        found not to run (its toolchain is not installed): what to install, not a
        `sandbox_error` from a compiler that is not there. Silent when the sandbox itself
        cannot start: that failure says why."""
        runnable = {name for name, version in self.languages.items() if version}
        if self._pool.unavailable is not None or not runnable:
            return None
        if language.name not in runnable:
            why = f"language {language.name!r} is not available in this deployment's sandbox ({language.install})"
            return Verdict("error", None, {"language": language.name, "error": f"{why}; see GET /languages"})
        judge_error = tests.judge_error(runnable) if tests is not None else None
        if judge_error is not None:
            return Verdict("error", None, {"language": language.name, "error": judge_error})
        return None

    async def verify(self, job: CodeJob, alongside: int = 1) -> Verdict:
        """``alongside``: the code jobs of the same batch; with fewer than the pool has sessions,
        each job's tests are spread over the sessions the batch leaves idle."""
        missing = self._missing(job.language, job.tests)
        if missing is not None:
            return missing
        self.pending += 1
        try:
            sessions = max(1, self._pool.size // max(1, alongside))
            return await verify_code_spread(job, self._pool, self._compile, sessions)
        finally:
            self.pending -= 1

    async def run(self, job: RunJob) -> Verdict:
        """One program run as asked, no tests (POST /run_code)."""
        missing = self._missing(job.language)
        if missing is not None:
            return missing
        self.pending += 1
        try:
            return await run_program(job, self._pool, self._compile)
        finally:
            self.pending -= 1

    def report(self) -> SandboxReport:
        return SandboxReport.of_pool(self._pool, self.languages)

    async def aclose(self) -> None:
        await self._pool.close()
