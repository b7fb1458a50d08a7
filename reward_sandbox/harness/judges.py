"""Checkers and interactors: compiled once per session, kept in the driver's memory.

A problem's judge is compiled for the first item that needs it and kept, by the
host's key, for the items after: in this process's memory, which the programs cannot
read or write (the driver is undumpable), and never on disk while a program runs. A
judge that did not compile is kept as its compiler's result: the same sources fail
the same way, so they are not compiled again for the next item. A checker is written
out only after every process of the program's run is gone and the writable places
are wiped, so nothing of the program can touch it.
"""

from __future__ import annotations

import os
from typing import Any

from cleanup import kill_others
from files import write_files
from runs import run_program
from workdir import WorkDir

# How much a judge's compiler may print into the reply.
_COMPILE_OUTPUT = 64 * 1024


class Judges:
    """The compiled judges of recent requests (the last `size` keys), or their compilers'
    results where they failed."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._cache: dict[str, list[tuple[str, bytes, int]] | dict[str, Any]] = {}

    def prepare(self, block: dict[str, Any], path: str, reply: dict[str, Any], reply_key: str) -> WorkDir | None:
        """A checker's or interactor's directory, compiled (or from the cache) and snapshot;
        None if it did not compile (the compiler's result is in ``reply[reply_key]``)."""
        place = WorkDir(path)
        cached = self._cache.get(block["key"])
        if isinstance(cached, dict):
            reply[reply_key] = cached
            return None
        if cached is not None:
            place.files = cached
            return place
        os.makedirs(path, exist_ok=True)
        write_files(path, block.get("files", {}))
        step = block.get("compile")
        failed = False
        if step:
            done = run_program(step["argv"], "", step["limits"], path, False, _COMPILE_OUTPUT, judge=True)
            reply[reply_key] = done
            # A compiler that could not start, or ran out of time on a busy host, says
            # nothing of the sources: not remembered.
            failed = done["exit_code"] != 0 or bool(done["limit"])
            if failed and not done.get("error") and not done["limit"]:
                self._remember(block["key"], done)
        if failed:
            return None
        kill_others()
        place.snapshot()
        self._remember(block["key"], place.files)
        return place

    def _remember(self, key: str, judge: list[tuple[str, bytes, int]] | dict[str, Any]) -> None:
        self._cache[key] = judge
        while len(self._cache) > self.size:
            del self._cache[next(iter(self._cache))]


def check(checker: dict[str, Any], place: WorkDir, stdin: str, output: bytes, answer: str) -> dict[str, Any]:
    """Run the checker on one run's output (every process of the run is gone by now)."""
    place.restore()  # wipes the program's work dir, /tmp and /dev/shm first
    for name, content in (("input.txt", stdin.encode()), ("output.txt", output), ("answer.txt", answer.encode())):
        with open(os.path.join(place.path, name), "wb") as handle:
            handle.write(content)
    limits = checker["limits"]
    return run_program(checker["argv"], "", limits, place.path, False, limits["output_kb"] * 1024, judge=True)
