"""Measuring a run: the processes it started, their memory and CPU time, read from /proc.

An item's limits hold for every process its program starts together, not for each
one alone, so the watch loop measures the whole tree. Inside the sandbox's PID
namespace every process but the driver belongs to the run (the previous run's were
killed before it started); outside one (the development backend) only the main
process is seen. System V shared memory that a run made and detached holds memory no
process shows, so it counts too; the table is read here, and emptied by cleanup.py.
"""

from __future__ import annotations

import os

from box import IS_NAMESPACE_INIT

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class Tree:
    """The processes of one run, measured together.

    `exclude`: processes measured apart (an interactor beside the program). With
    `root_only`, only the main process counts (an interactor's own measure).
    """

    def __init__(
        self,
        pid: int,
        exclude: frozenset[int] = frozenset(),
        *,
        holds_detached: bool = True,
        root_only: bool = False,
    ) -> None:
        self.pid = pid
        self.peak_kb = 0
        self.exclude = exclude
        # Whether detached shared memory is this tree's (the program's, never a judge's).
        self.holds_detached = holds_detached
        self.root_only = root_only

    def pids(self) -> list[int]:
        if self.root_only or not IS_NAMESPACE_INIT:
            return [self.pid]
        return [pid for pid in other_processes() if pid not in self.exclude]

    def limit_hit(self, cpu_limit: float, memory_limit_kb: int | None) -> str | None:
        """ "time" or "memory" when the tree is past that limit now, else None."""
        if self.cpu_s() > cpu_limit:
            return "time"
        if memory_limit_kb and self.memory_kb() > memory_limit_kb:
            return "memory"
        return None

    def memory_kb(self) -> int:
        # Proportional set size: pages a forked child still shares with its parent count once.
        total = detached_shm_kb() if self.holds_detached else 0
        for pid in self.pids():
            total += _pss_kb(pid)
        self.peak_kb = max(self.peak_kb, total)
        return total

    def cpu_s(self) -> float:
        """CPU time of the run so far: every live process, and what the main process reaped."""
        ticks = 0
        for pid in self.pids():
            fields = _stat_fields(pid)
            if fields is not None:
                ticks += fields[11] + fields[12]  # utime, stime
                if pid == self.pid:
                    ticks += fields[13] + fields[14]  # cutime, cstime of reaped children
        return ticks / CLOCK_TICKS


def other_processes() -> list[int]:
    """Every process of the namespace but the driver; none outside a namespace."""
    if not IS_NAMESPACE_INIT:
        return []
    return [int(name) for name in os.listdir("/proc") if name.isdigit() and int(name) != 1]


def sysv_rows(table: str) -> list[list[str]]:
    """The rows of /proc/sysvipc/`table` (shm, sem, msg): every object is the programs'
    (the driver makes none), and the IPC namespace is the session's."""
    if not IS_NAMESPACE_INIT:
        return []
    try:
        with open(f"/proc/sysvipc/{table}") as handle:
            lines = handle.read().splitlines()[1:]
    except OSError:
        return []
    return [line.split() for line in lines if line.strip()]


def detached_shm_kb() -> int:
    """Resident memory of the shared-memory segments no process has attached."""
    total = 0
    for row in sysv_rows("shm"):
        # key shmid perms size cpid lpid nattch uid gid cuid cgid atime dtime ctime rss swap
        if len(row) > 14 and row[6] == "0" and row[14].isdigit():
            total += int(row[14])
    return total // 1024


def _stat_fields(pid: int) -> list[int] | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            text = handle.read()
    except OSError:
        return None
    # The command name is in parentheses and may hold spaces or parentheses itself.
    rest = text[text.rfind(b")") + 2 :].split()
    try:
        # rest[0] is field 3 (state): utime, stime, cutime, cstime are rest[11:15].
        return [int(field) if field.lstrip(b"-").isdigit() else 0 for field in rest]
    except ValueError:
        return None


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * PAGE_KB
    except (OSError, ValueError, IndexError):
        return 0
