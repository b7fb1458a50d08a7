"""Files across the sandbox's wall: the request's files written into a work dir, and
the files a caller asked for read back out of it.

Both directions take names from outside the driver (the host's request, and a
program that may have replaced any part of a path with a symlink), so every name is
checked to stay inside the work dir, and nothing is read through a link: a program
could link a directory to /proc/1 and have the driver read its own memory. What is
read back shares the reply's budget.
"""

from __future__ import annotations

import base64
import os
import stat


def inside(work: str, name: str) -> str:
    """The path of `name` in the work dir; a name that would leave it (absolute, `..`) is refused."""
    relative = os.path.normpath(name)
    if not name or os.path.isabs(name) or relative == "." or relative.split(os.sep)[0] == "..":
        raise ValueError(f"file name {name[:200]!r} is not a relative path inside the work dir")
    return os.path.join(work, relative)


def write_files(work: str, files: dict[str, str]) -> None:
    """Text files (sources): the host's names, in the work dir."""
    for name, content in files.items():
        path = os.path.join(work, name)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(content)


def write_binary_files(work: str, files: dict[str, str]) -> None:
    """Files the caller sends as base64 (data files, inputs a program reads)."""
    for name, content in files.items():
        path = inside(work, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(base64.b64decode(content, validate=True))


def fetch_files(work: str, names: list[str], budget: int) -> dict[str, str | None]:
    """What the program left in the requested files, base64; None for a file that is missing,
    not a regular file, behind a symlink anywhere in its path, or past what the reply may
    still carry."""
    fetched: dict[str, str | None] = {}
    for name in names:
        fetched[name] = None
        try:
            fd = _open_no_links(work, name)
        except (OSError, ValueError):
            continue
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_size > budget:
                continue
            with os.fdopen(os.dup(fd), "rb") as handle:
                content = handle.read(budget + 1)
        finally:
            os.close(fd)
        if len(content) > budget:
            continue
        budget -= len(content)
        fetched[name] = base64.b64encode(content).decode("ascii")
    return fetched


def _open_no_links(work: str, name: str) -> int:
    """A read descriptor of `name` in the work dir, where no part of the path may be a symlink."""
    parts = os.path.relpath(inside(work, name), work).split(os.sep)
    directory = os.open(work, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        for part in parts[:-1]:
            deeper = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=directory)
            os.close(directory)
            directory = deeper
        return os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=directory)
    finally:
        os.close(directory)
