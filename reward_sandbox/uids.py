"""Host-wide leases on the outside uids that bwrap sessions run as (when the service is root).

Every process of the service on one host (uvicorn workers, RQ workers, the CLI)
draws from the same uid range, and RLIMIT_NPROC counts a uid's processes across
the whole host: two sessions sharing a uid would share one fork budget, and one
program's fork bomb would fail another item's fork. A lease is an flock on a file
named after the uid, held while the session lives and dropped by the kernel if
the process dies, so no uid is ever in use twice and none leaks.
"""

from __future__ import annotations

import fcntl
import os
import random
import tempfile
from pathlib import Path

from reward_sandbox.backends.base import SandboxUnavailable


def default_lock_dir() -> Path:
    run = Path("/run")
    base = run if run.is_dir() and os.access(run, os.W_OK) else Path(tempfile.gettempdir())
    return base / "reward-service-sandbox-uids"


class UidLeases:
    def __init__(self, first: int, count: int, lock_dir: Path | None = None) -> None:
        self.first = first
        self.count = count
        self.lock_dir = lock_dir or default_lock_dir()
        self.lock_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._held: dict[int, int] = {}

    def claim(self) -> int:
        # A random starting point: processes starting together do not all try the same uids.
        start = random.randrange(self.count)
        for step in range(self.count):
            uid = self.first + (start + step) % self.count
            if uid in self._held:
                continue
            fd = os.open(self.lock_dir / str(uid), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            self._held[uid] = fd
            return uid
        raise SandboxUnavailable(
            f"every sandbox uid ({self.first}-{self.first + self.count - 1}) is in use on this host"
        )

    def release(self, uid: int) -> None:
        fd = self._held.pop(uid, None)
        if fd is not None:
            os.close(fd)

    def release_all(self) -> None:
        for uid in list(self._held):
            self.release(uid)
