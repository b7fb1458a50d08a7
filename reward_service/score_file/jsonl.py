"""Streaming JSONL input and crash-safe, resumable output.

Every output line goes out in one write() on an unbuffered file, so a SIGKILL can
at worst cut the last line short; the next run drops such a tail before it reads
which ids are done.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_READ_BLOCK = 1 << 20


def count_lines(path: Path) -> int:
    """Lines in the file, read in blocks (for the progress bar's total)."""
    lines = 0
    last = b"\n"
    with path.open("rb") as handle:
        while block := handle.read(_READ_BLOCK):
            lines += block.count(b"\n")
            last = block[-1:]
    return lines + (last != b"\n")


def drop_torn_tail(path: Path) -> int:
    """Cut a last line that has no newline (a write interrupted by a kill); returns the bytes removed."""
    if not path.exists():
        return 0
    size = path.stat().st_size
    if size == 0:
        return 0
    with path.open("r+b") as handle:
        handle.seek(size - 1)
        if handle.read(1) == b"\n":
            return 0
        # Walk back block by block to the last newline.
        end = size
        while end > 0:
            start = max(0, end - _READ_BLOCK)
            handle.seek(start)
            block = handle.read(end - start)
            newline = block.rfind(b"\n")
            if newline >= 0:
                keep = start + newline + 1
                break
            end = start
        else:
            keep = 0
        handle.truncate(keep)
        return size - keep


def iter_json_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(1-based line number, raw line without its newline) for every non-blank line."""
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            line = line.rstrip(b"\r\n")
            if line.strip():
                yield number, line


def iter_records(path: Path) -> Iterator[dict[str, Any]]:
    """The JSON objects of a file this tool wrote (the scored output)."""
    for _, line in iter_json_lines(path):
        yield json.loads(line)


class LineWriter:
    """Appends JSON lines, each with a single write() that the OS finishes before the process can die."""

    def __init__(self, path: Path, mode: str = "ab") -> None:
        self._file = path.open(mode, buffering=0)

    def write(self, record: dict[str, Any]) -> None:
        data = memoryview((json.dumps(record, ensure_ascii=False) + "\n").encode())
        while data:  # a regular file takes it all at once; the loop covers a short write
            written = self._file.write(data)
            data = data[written or 0 :]

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> LineWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
