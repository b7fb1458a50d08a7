"""One call that makes this process undumpable, and says so when the kernel refused.

The driver and the Python runner hold what a program must never see (a checker's
answers, the tests and the nonce) and run as the program's uid. An undumpable
process's /proc/PID/{fd,mem,environ} are closed to other processes of that uid, so
the program can neither read that memory nor forge a reply through a descriptor.
docs/security.md relies on it, so a failure is not ignored: the caller reports it
(the driver in every reply, the runner as a `harness_error` outcome) and the host
refuses the session's results.

Standard library only, and Python 3.9 syntax: PyPy runs the Python runner too.
"""

from __future__ import annotations

import os

PR_GET_DUMPABLE = 3
PR_SET_DUMPABLE = 4


def make_undumpable() -> str | None:
    """Clear this process's dumpable flag; None when it is clear, else why it is not."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
            return f"prctl(PR_SET_DUMPABLE, 0) failed: {os.strerror(ctypes.get_errno())}"
        # Read back: a filter (seccomp) may answer 0 without doing anything.
        if libc.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0:
            return "prctl(PR_SET_DUMPABLE, 0) returned but the process is still dumpable"
    except Exception as exc:  # no libc, no prctl: the same failure, in other words
        return f"prctl(PR_SET_DUMPABLE, 0) failed: {type(exc).__name__}: {exc}"
    return None
