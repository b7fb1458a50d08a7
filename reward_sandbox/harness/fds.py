"""Descriptor helpers: a process's exit as a descriptor, a pipe's readiness, a memory file.

The watch loop waits on pipes and processes with one `select`, and an interactor gets
its test's files as memory files rather than paths; these are the few system calls
that both need, with what to do where the kernel or the Python lacks them.
"""

from __future__ import annotations

import os
import select


def pidfd(pid: int) -> int | None:
    """A descriptor that becomes readable when `pid` exits; None where there is none (old
    kernels, PyPy): the caller then polls."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def readable(fd: int) -> bool:
    """Whether reading `fd` now would not block."""
    ready, _, _ = select.select([fd], [], [], 0)
    return bool(ready)


def memfd(name: str, content: bytes) -> int:
    """A memory file holding `content`, at offset 0: a file with no path to open."""
    fd = os.memfd_create(name, 0)
    os.write(fd, content)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd
