"""The interface every isolation backend implements."""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from pathlib import Path

from reward_sandbox.limits import Limits
from reward_sandbox.session import DriverSession

HARNESS_DIR = Path(__file__).resolve().parent.parent / "harness"
# Every file of the harness (the driver's modules, the runners, the JavaScript judge):
# the image digest must change with any of them, including a module added later.
HARNESS_FILES = tuple(sorted(path.name for path in HARNESS_DIR.iterdir() if path.suffix in (".py", ".js")))
# An execute-only copy of node that the JavaScript judge runs from (see js_launch.py).
JUDGE_NODE = "judge-node"


def harness_digest() -> str:
    """Identifies this version of the harness; an image built from another one is stale."""
    digest = hashlib.sha256()
    for name in HARNESS_FILES:
        digest.update(name.encode() + b"\0" + (HARNESS_DIR / name).read_bytes())
    return digest.hexdigest()[:16]


class SandboxUnavailable(Exception):
    """This backend cannot isolate code here; the message says what to install or set."""


class SandboxBackend(ABC):
    name: str
    # Whether the driver should cap processes with RLIMIT_NPROC (it counts per uid,
    # so only where each session has a uid of its own); containers use a pids cgroup.
    per_session_uid: bool = False
    # Where the harness (driver and runners) is seen from inside the sandbox.
    harness_path: str = "/opt/harness"
    # A weaker guarantee than this backend's best, found by `check` (logged at start-up).
    warning: str | None = None
    # Which isolation tool or image this backend uses (logged and shown by GET /languages).
    detail: str | None = None

    def __init__(self, maxima: Limits) -> None:
        self.maxima = maxima

    @abstractmethod
    async def check(self) -> None:
        """Raise SandboxUnavailable, with what to do, when no session can be started."""

    @abstractmethod
    async def open_session(self) -> DriverSession: ...

    async def reap(self) -> int:
        """Remove sandboxes left by an earlier process; returns how many."""
        return 0

    async def close(self) -> None:  # noqa: B027 - optional hook: most backends own nothing to remove
        """Remove whatever this backend still owns."""
