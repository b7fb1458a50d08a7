"""The writable places of a sandbox: a snapshot of a directory, restored before each run,
and wiping, however the program arranged what it left.

Nothing one run of a program writes (a usercustomize.py, a changed binary, a file in
/tmp or /dev/shm) may be there for the next run of the same item, nor for the
checker. A program may build trees deeper than any path, wider than memory, or chmod
its directories shut; wiping is never recursive and always bounded in time: past
CLEANUP_BUDGET_S the session is reported dirty (and replaced), and the item keeps its
verdict.
"""

from __future__ import annotations

import os
import stat
import time

from box import SCRATCH_DIRS, WORK_ROOT

CLEANUP_BUDGET_S = 5.0


class WorkDir:
    """The request's files (and what compiling made of them), restored before every run."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.files: list[tuple[str, bytes, int]] = []

    def snapshot(self) -> None:
        self.files = []
        pending = [""]
        while pending:
            relative = pending.pop()
            for entry in os.scandir(os.path.join(self.path, relative) if relative else self.path):
                name = os.path.join(relative, entry.name)
                if entry.is_dir(follow_symlinks=False):
                    pending.append(name)
                elif entry.is_file(follow_symlinks=False):
                    with open(entry.path, "rb") as handle:
                        self.files.append(
                            (name, handle.read(), stat.S_IMODE(entry.stat(follow_symlinks=False).st_mode))
                        )

    def restore(self) -> bool:
        """Wipe every writable place, then write the snapshot back; True when the wipe finished."""
        clean = wipe_all(time.monotonic() + CLEANUP_BUDGET_S)
        self.write_out()
        return clean

    def write_out(self) -> None:
        """The snapshot's files, written back without wiping anything first."""
        os.makedirs(self.path, exist_ok=True)
        for name, content, mode in self.files:
            target = os.path.join(self.path, name)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as handle:
                handle.write(content)
            os.chmod(target, mode)


def wipe_all(deadline: float) -> bool:
    """Empty the work root (the program's and the judges' dirs) and the scratch places."""
    clean = True
    for top in (WORK_ROOT, *SCRATCH_DIRS):
        clean = wipe_contents(top, deadline) and clean
    return clean


def wipe_contents(top: str, deadline: float) -> bool:
    """Remove everything inside `top`, however deep, wide or locked down the program
    made it; True once it is empty. Never recursive and never a long path: each pass
    moves the grandchildren of `top` up into `top`, so depth costs passes, not stack."""
    try:
        top_fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    moved = 0
    try:
        while time.monotonic() < deadline:
            with os.scandir(top_fd) as entries:
                names = [entry.name for entry in entries]
            if not names:
                return True
            progress = False
            for name in names:
                if time.monotonic() >= deadline:
                    return False
                try:
                    moved = _remove_entry(top_fd, name, moved)
                    progress = True
                except OSError:
                    continue
            if not progress:
                return False
        return False
    finally:
        os.close(top_fd)


def _remove_entry(parent_fd: int, name: str, moved: int) -> int:
    info = os.stat(name, dir_fd=parent_fd, follow_symlinks=False)
    if not stat.S_ISDIR(info.st_mode):
        os.unlink(name, dir_fd=parent_fd)
        return moved
    # A program may chmod its directories to keep them; the owner can always undo that.
    os.chmod(name, 0o700, dir_fd=parent_fd)
    fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=parent_fd)
    try:
        with os.scandir(fd) as entries:
            children = [(entry.name, entry.is_dir(follow_symlinks=False)) for entry in entries]
        for child, is_dir in children:
            if is_dir:
                # Moving a directory to another parent rewrites its "..": it must be writable.
                os.chmod(child, 0o700, dir_fd=fd)
                moved += 1
                os.rename(child, f".wipe-{os.getpid()}-{moved}", src_dir_fd=fd, dst_dir_fd=parent_fd)
            else:
                os.unlink(child, dir_fd=fd)
    finally:
        os.close(fd)
    os.rmdir(name, dir_fd=parent_fd)
    return moved
