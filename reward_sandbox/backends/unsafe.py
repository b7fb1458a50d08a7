"""No isolation at all: the driver as a plain child process. Development only.

Used when REWARD_SANDBOX_BACKEND=unsafe is set, or in place of a backend that
cannot isolate code when REWARD_SANDBOX_ALLOW_UNSAFE=true says so explicitly
(reward_service/dispatch/local.py); never chosen on its own.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile

from reward_sandbox.backends.base import HARNESS_DIR, SandboxBackend
from reward_sandbox.session import MAX_REPLY_BYTES, DriverSession, ProcessSession


class UnisolatedBackend(SandboxBackend):
    name = "unsafe"
    harness_path = str(HARNESS_DIR)

    async def check(self) -> None:
        return None

    async def open_session(self) -> DriverSession:
        work = tempfile.mkdtemp(prefix="reward-unsafe-")
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-S",
            str(HARNESS_DIR / "driver.py"),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env={"SANDBOX_WORK_ROOT": work, "PATH": "/usr/local/bin:/usr/bin:/bin"},
            limit=MAX_REPLY_BYTES,
        )
        return ProcessSession(process)
