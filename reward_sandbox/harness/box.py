"""What the sandbox around the driver looks like, found once at start-up.

Every other module of the harness asks here where the work dir and the judges'
directories are, whether the driver is the init of its own PID namespace (the docker
and bwrap backends: only then may it kill every other process and wipe /tmp), whether
the kernel has Landlock, and how often the memory cgroup has OOM-killed. Kept in one
place so that the unisolated development backend, where none of this holds, is one
`IS_NAMESPACE_INIT` away from the real thing.
"""

from __future__ import annotations

import os

import landlock

WORK_ROOT = os.environ.get("SANDBOX_WORK_ROOT", "/box")
# The program's files; a checker's and an interactor's beside them, out of its reach.
PROGRAM_DIR = os.path.join(WORK_ROOT, "w")
CHECKER_DIR = os.path.join(WORK_ROOT, "c")
INTERACTOR_DIR = os.path.join(WORK_ROOT, "i")
IS_NAMESPACE_INIT = os.getpid() == 1
# /tmp and /dev/shm are the sandbox's own tmpfs only inside a namespace; never wipe a host's.
SCRATCH_DIRS = tuple(path for path in ("/tmp", "/dev/shm") if os.path.isdir(path)) if IS_NAMESPACE_INIT else ()
# The programs' processes are confined with Landlock (see landlock.py) inside a sandbox
# whose kernel has it; 0 where it has not (and outside a sandbox: unsafe mode).
LANDLOCK_ABI = landlock.abi_version() if IS_NAMESPACE_INIT else 0
# What a program runs with: no variable of the driver's reaches it.
PATH = "/usr/local/bin:/usr/bin:/bin"

_OOM_COUNTERS = ("/sys/fs/cgroup/memory.events", "/sys/fs/cgroup/memory/memory.oom_control")


def oom_kills() -> int | None:
    """How often the container's memory cgroup has OOM-killed (v2 or v1), if visible."""
    for path in _OOM_COUNTERS:
        try:
            with open(path) as handle:
                for line in handle:
                    name, _, value = line.partition(" ")
                    if name == "oom_kill":
                        return int(value)
        except OSError:
            continue
    return None


def scratch_dir(fallback: str) -> str:
    """Where a program's TMPDIR points: the sandbox's /tmp, or its own dir outside one."""
    return SCRATCH_DIRS[0] if SCRATCH_DIRS else fallback
