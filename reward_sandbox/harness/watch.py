"""One watch loop for every run: the processes' exits, their limits, and their pipes.

A plain run watches one process (the program, a compiler or a checker); an
interactive run watches two (the program and the interactor), each against its own
limits. Either way the same loop feeds stdin, reads what they print, measures each
process tree every MEASURE_INTERVAL_S against its CPU and memory limits, and stops at
the first of: every watched process exited, a limit hit, the wall deadline, the
output cap, or a line on the run's sink (a session's kernel saying a cell is done: the
kernel lives on for the next cell, so nothing is killed then). Time limits are on CPU
time, so a busy neighbour cannot turn a correct program into a time_limit; the wall
deadline (the service's rule: wall_s) bounds programs that wait. What was still
running is then killed and reaped, with its group.
"""

from __future__ import annotations

import os
import selectors
import subprocess
import time
from typing import IO, Any

from cleanup import kill_group
from fds import pidfd, readable
from proc_tree import Tree

# How often a run's process tree is measured (memory, CPU time) while it runs.
MEASURE_INTERVAL_S = 0.05
# How much of a stream kept as its tail (stderr) a reply carries.
STDERR_TAIL = 4096
# Without a pidfd to wake on a process's exit, how often it is polled for.
_EXIT_POLL_S = 0.02


class Watched:
    """One process under watch, with its tree and limits, and how it ended."""

    def __init__(self, proc: subprocess.Popen[bytes], tree: Tree, limits: dict[str, Any]) -> None:
        self.proc = proc
        self.tree = tree
        self.cpu_limit = float(limits["time_s"])
        self.memory_limit_kb = int(limits.get("memory_mb") or 0) * 1024
        self.status: int | None = None  # as os.wait4 gives it
        self.usage: Any = None  # resource.struct_rusage
        # "time", "memory" or "output": the limit that ended the watch, if one of its own did.
        self.limit: str | None = None
        # Still running when the watch stopped: the watch killed it.
        self.killed = False
        # The tree's CPU time when the watch stopped, before anything was killed.
        self.tree_cpu_s = 0.0

    @property
    def exited(self) -> bool:
        return self.status is not None

    def reap(self, block: bool) -> None:
        pid, status, usage = os.wait4(self.proc.pid, 0 if block else os.WNOHANG)
        if pid == self.proc.pid:
            self.status, self.usage = status, usage

    def cpu_s(self) -> float:
        """CPU time of the process and its tree; what the kernel counted, or what the
        watch measured of the tree, whichever is more."""
        return max(self.usage.ru_utime + self.usage.ru_stime, self.tree_cpu_s)


class Streams:
    """The pipes of a run, read and written without blocking.

    Captured streams (stdout, the runners' fd 3) count against one cap together: past
    it, `over_cap` is set, or with `drop_past_cap` (a judge, judged by its exit code)
    the rest is dropped. Tail streams (stderr) keep their last STDERR_TAIL bytes. A sink
    (a kernel's report descriptor) counts apart, up to its own cap; a whole line on it
    makes `done`.
    """

    def __init__(self, cap: int = 0, *, drop_past_cap: bool = False) -> None:
        self.cap = cap
        self.drop_past_cap = drop_past_cap
        self.over_cap = False
        self._captured: list[bytearray] = []
        self._buffers: dict[int, tuple[bytearray, bool]] = {}  # fd: (buffer, captured)
        self._sink: tuple[int, bytearray, int] | None = None  # fd, buffer, cap
        self._stdin: IO[bytes] | None = None
        self._pending = memoryview(b"")

    def capture(self, fd: int) -> bytearray:
        buffer = bytearray()
        self._captured.append(buffer)
        self._buffers[fd] = (buffer, True)
        return buffer

    def tail(self, fd: int) -> bytearray:
        buffer = bytearray()
        self._buffers[fd] = (buffer, False)
        return buffer

    def sink(self, fd: int, cap: int) -> bytearray:
        buffer = bytearray()
        self._sink = (fd, buffer, cap)
        return buffer

    @property
    def done(self) -> bool:
        """The sink holds a whole line, or is full (an answer that long is no answer)."""
        if self._sink is None:
            return False
        _, buffer, cap = self._sink
        return b"\n" in buffer or len(buffer) >= cap

    def feed(self, stdin: IO[bytes], data: bytes) -> None:
        """What the process reads on stdin; closed at once when there is nothing to read."""
        if data:
            self._stdin, self._pending = stdin, memoryview(data)
        else:
            stdin.close()

    def register(self, selector: selectors.BaseSelector) -> None:
        for fd in self._buffers:
            os.set_blocking(fd, False)
            selector.register(fd, selectors.EVENT_READ, "read")
        if self._sink is not None:
            os.set_blocking(self._sink[0], False)
            selector.register(self._sink[0], selectors.EVENT_READ, "sink")
        if self._stdin is not None:
            os.set_blocking(self._stdin.fileno(), False)
            selector.register(self._stdin, selectors.EVENT_WRITE, "write")

    def ready(self, selector: selectors.BaseSelector, key: selectors.SelectorKey) -> None:
        """Serve one ready pipe: write to stdin, or read what a process printed."""
        if key.data == "sink":
            if not self._take_sink():
                selector.unregister(key.fd)
        elif key.data == "write":
            try:
                sent = os.write(key.fd, self._pending[:65536])
                self._pending = self._pending[sent:]
            except BlockingIOError:
                return
            except BrokenPipeError:
                self._pending = self._pending[:0]
            if not self._pending:
                selector.unregister(key.fileobj)
                self.close()
        elif not self._take(key.fd):
            selector.unregister(key.fd)

    def drain(self, deadline: float) -> None:
        """What the processes wrote before they exited is still in the pipes."""
        for fd in self._buffers:
            while not self.over_cap and self._take(fd) and readable(fd) and time.monotonic() < deadline:
                pass

    def close(self) -> None:
        """Close stdin, if still open (the process may have closed its end)."""
        if self._stdin is not None and not self._stdin.closed:
            try:
                self._stdin.close()
            except OSError:
                pass

    def _take_sink(self) -> bool:
        assert self._sink is not None
        fd, buffer, cap = self._sink
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return True
        buffer.extend(chunk[: max(cap - len(buffer), 0)])
        return bool(chunk)

    def _take(self, fd: int) -> bool:
        """Read what is there; False at end of stream."""
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return True
        if not chunk:
            return False
        buffer, captured = self._buffers[fd]
        buffer.extend(chunk)
        if not captured:
            del buffer[:-STDERR_TAIL]
        elif self.drop_past_cap:
            del buffer[self.cap :]
        elif sum(len(each) for each in self._captured) > self.cap:
            self.over_cap = True
        return True


def watch(watched: list[Watched], streams: Streams, deadline: float) -> None:
    """Watch until every process exited or one hit a limit, then kill and reap the rest.

    The first of `watched` is the program: the wall deadline and the output cap are its
    limits. Each one's `limit`, `status`, `usage`, `killed` and `tree_cpu_s` say how it ended.
    """
    selector = selectors.DefaultSelector()
    exits = [fd for fd in (pidfd(each.proc.pid) for each in watched) if fd is not None]
    try:
        streams.register(selector)
        for fd in exits:
            # A process's exit ends its part even while a child it left holds the pipes open.
            selector.register(fd, selectors.EVENT_READ, "exit")
        poll = MEASURE_INTERVAL_S if len(exits) == len(watched) else _EXIT_POLL_S
        _loop(watched, streams, deadline, selector, poll)
    finally:
        selector.close()
        for fd in exits:
            os.close(fd)
    for each in watched:
        each.tree_cpu_s = each.tree.cpu_s()
    if streams.done and not any(each.limit for each in watched):
        streams.drain(deadline)  # what the cell printed before it reported done
        return
    stopped = [each for each in watched if not each.exited]
    for each in stopped:
        each.killed = True
        kill_group(each.proc.pid)
        each.reap(block=True)
    if not stopped:
        streams.drain(deadline)
    for each in watched:
        kill_group(each.proc.pid)  # children it left in its group
        each.proc.returncode = 0  # reaped here; keeps Popen from waiting again


def _loop(
    watched: list[Watched],
    streams: Streams,
    deadline: float,
    selector: selectors.BaseSelector,
    poll: float,
) -> None:
    program = watched[0]
    next_measure = time.monotonic() + MEASURE_INTERVAL_S
    while True:
        now = time.monotonic()
        remaining = deadline - now
        if remaining <= 0:
            program.limit = "time"
            return
        for each in watched:
            if not each.exited:
                each.reap(block=False)
        if all(each.exited for each in watched):
            return
        if now >= next_measure:
            next_measure = now + MEASURE_INTERVAL_S
            for each in watched:
                if not each.exited:
                    each.limit = each.tree.limit_hit(each.cpu_limit, each.memory_limit_kb)
                    if each.limit is not None:
                        return
        wait = min(remaining, max(next_measure - now, 0.001), poll)
        for key, _ in selector.select(wait):
            if key.data == "exit":
                # Reaped at the top of the loop; readable from now on, so no longer waited on.
                selector.unregister(key.fd)
                continue
            streams.ready(selector, key)
            if streams.over_cap:
                program.limit = "output"
                return
            if streams.done:
                return
