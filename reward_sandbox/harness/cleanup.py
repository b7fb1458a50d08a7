"""Ending what a run left behind: its processes, and the System V IPC objects they made.

Between runs and after every request nothing of the program may survive: not a
process (it could watch the next run, or the checker), not a shared-memory segment
(it would hold memory, or a message, for the next run). As the namespace's init, the
driver kills and reaps every other process; then it removes every System V object.
Wiping the writable places is workdir.py's; `clean_up` does both and never raises: a
program that defeats clean-up costs its session, never its verdict.
"""

from __future__ import annotations

import os
import signal
import time
from typing import Any

from box import IS_NAMESPACE_INIT
from proc_tree import other_processes, sysv_rows
from workdir import CLEANUP_BUDGET_S, wipe_all

_SYSV_TABLES = ("shm", "sem", "msg")
_IPC_RMID = 0


def kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def kill_others() -> int:
    """Kill and reap every process of the namespace but this one, and remove the System V
    IPC objects they made; returns how many processes there were."""
    leftovers = other_processes()
    if IS_NAMESPACE_INIT:
        # Only safe as the namespace's init: -1 means every process of this namespace.
        for _ in range(50):
            try:
                os.kill(-1, signal.SIGKILL)
            except ProcessLookupError:
                pass
            _reap_all()
            if not other_processes():
                break
            time.sleep(0.01)
    _reap_all()
    remove_sysv_ipc()
    return len(leftovers)


def remove_sysv_ipc() -> bool:
    """Remove every System V shared-memory segment, semaphore set and message queue of the
    session, so that no run sees (or pays the memory of) what an earlier run left; True
    when none is left. Called once the run's processes are gone: removal then frees them.
    The driver has the programs' uid, which may always remove what that uid created."""
    rows = {table: sysv_rows(table) for table in _SYSV_TABLES}
    if not any(rows.values()):
        return True
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for row in rows["shm"]:
        libc.shmctl(int(row[1]), _IPC_RMID, None)
    for row in rows["sem"]:
        libc.semctl(int(row[1]), 0, _IPC_RMID)
    for row in rows["msg"]:
        libc.msgctl(int(row[1]), _IPC_RMID, None)
    return not any(sysv_rows(table) for table in _SYSV_TABLES)


def clean_up() -> dict[str, Any]:
    """Kill whatever the program left behind and wipe the writable places: the reply's
    `leftover_processes` and `clean`."""
    leftovers = 0
    clean = False
    try:
        leftovers = kill_others()
        ipc_clean = remove_sysv_ipc()
        clean = not other_processes() and ipc_clean
        clean = wipe_all(time.monotonic() + CLEANUP_BUDGET_S) and clean
    except Exception:
        clean = False
    return {"leftover_processes": leftovers, "clean": clean}


def _reap_all() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
