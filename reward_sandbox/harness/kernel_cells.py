"""A session's cells: one interpreter (py_kernel.py) kept alive between the driver's requests.

A kernel sandbox serves one session and nothing else, so unlike a program run, the
kernel and what it started outlive each request, and its work dir (KERNEL_DIR) is
never wiped. Each cell is watched by the same loop as any run (watch.py), until the
kernel reports the cell done on its result descriptor; the limits are the cell's: its
CPU time (counted from where the previous cell ended, so that what a cell left
running between cells is charged to the next), the tree's memory, the wall time, the
output. A limit, or a kernel that ends by itself, ends the interpreter and every
process of the sandbox: the state is lost and the reply says so; the next cell starts
a fresh interpreter in the same work dir, and says so too.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from typing import Any

from box import IS_NAMESPACE_INIT, WORK_ROOT, oom_kills
from cleanup import kill_others
from files import inside
from proc_tree import Tree
from runs import child_setup, program_env
from watch import Streams, Watched, watch

KERNEL_DIR = os.path.join(WORK_ROOT, "k")
# The kernel's report of one cell: its status, a value and a traceback, each cut short.
_RESULT_CAP = 256 * 1024
_STATUS_OF_LIMIT = {"time": "timeout", "memory": "memory_limit", "output": "output_limit"}


class _Kernel:
    def __init__(self, proc: subprocess.Popen[bytes], cells_fd: int, results_fd: int) -> None:
        self.proc = proc
        self.cells_fd = cells_fd
        self.results_fd = results_fd
        self.tree = Tree(proc.pid)
        # The tree's CPU time when the last cell ended: the next cell is charged from here.
        self.charged_cpu_s = 0.0

    def end(self) -> None:
        """After a watch that did not end in `done`: the watch has killed and reaped the
        interpreter and its group already; what remains is what left the group, and the pipes."""
        if IS_NAMESPACE_INIT:
            kill_others()  # what the kernel started in groups of its own
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()
        for fd in (self.cells_fd, self.results_fd):
            try:
                os.close(fd)
            except OSError:
                pass


class Kernels:
    """The driver's one kernel (at most), across requests."""

    def __init__(self) -> None:
        self._kernel: _Kernel | None = None
        self._started = 0

    def run_cell(self, request: dict[str, Any]) -> dict[str, Any]:
        limits = request["limits"]
        reply: dict[str, Any] = {"nonce": request["nonce"], "restarted": False, "state_lost": False}
        os.makedirs(KERNEL_DIR, exist_ok=True)
        for name, content in (request.get("files") or {}).items():
            with open(inside(KERNEL_DIR, name), "w", encoding="utf-8") as handle:
                handle.write(content)
        if self._kernel is None:
            started = self._start(request["kernel"], limits)
            if isinstance(started, str):
                return {**reply, **_failed("sandbox_error", "SandboxError", started), "state_lost": True}
            reply["restarted"] = self._started > 0
            self._started += 1
            self._kernel = started
        kernel = self._kernel
        return {**reply, **self._watch_cell(kernel, request, limits)}

    def _start(self, argv: list[str], limits: dict[str, Any]) -> _Kernel | str:
        cells_r, cells_w = os.pipe()
        results_r, results_w = os.pipe()
        env = {**program_env(KERNEL_DIR), "CELL_FD": str(cells_r), "RESULT_FD": str(results_w)}
        # The per-process CPU backstop of child_setup holds for the kernel's whole life:
        # the session's CPU time, not one cell's.
        lifetime = {**limits, "time_s": float(limits.get("session_cpu_s") or limits["time_s"])}
        try:
            proc = subprocess.Popen(
                argv,
                cwd=KERNEL_DIR,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                preexec_fn=child_setup(lifetime, KERNEL_DIR),
                start_new_session=True,
                pass_fds=(cells_r, results_w),
            )
        except OSError as exc:
            for fd in (cells_r, cells_w, results_r, results_w):
                os.close(fd)
            return f"could not start the kernel {argv[0]}: {exc}"
        os.close(cells_r)
        os.close(results_w)
        return _Kernel(proc, cells_w, results_r)

    def _watch_cell(self, kernel: _Kernel, request: dict[str, Any], limits: dict[str, Any]) -> dict[str, Any]:
        assert kernel.proc.stdout is not None and kernel.proc.stderr is not None
        started = time.monotonic()
        oom_before = oom_kills()
        cell = (json.dumps({"code": request["code"], "number": request.get("number", 0)}) + "\n").encode()
        try:
            _write_all(kernel.cells_fd, cell)
        except OSError:
            pass  # the kernel is gone: the watch below sees it exited
        streams = Streams(int(limits["output_kb"]) * 1024)
        stdout = streams.capture(kernel.proc.stdout.fileno())
        stderr = streams.capture(kernel.proc.stderr.fileno())
        report = streams.sink(kernel.results_fd, _RESULT_CAP)
        watched = Watched(kernel.proc, kernel.tree, limits)
        watched.cpu_limit = kernel.charged_cpu_s + float(limits["time_s"])
        watch([watched], streams, started + float(limits["wall_s"]))
        wall = time.monotonic() - started
        cpu = max(watched.tree_cpu_s - kernel.charged_cpu_s, 0.0)
        kernel.charged_cpu_s = watched.tree_cpu_s
        output = {
            "stdout": bytes(stdout[: streams.cap]).decode("utf-8", "replace"),
            "stderr": bytes(stderr[: streams.cap]).decode("utf-8", "replace"),
            "cpu_s": round(cpu, 4),
            "wall_s": round(wall, 4),
        }
        if streams.done and not watched.exited and watched.limit is None:
            return {**output, **_reported(bytes(report))}
        # A limit, or the kernel ended by itself: the interpreter and its state are gone.
        self._kernel = None
        kernel.end()
        limit = watched.limit
        if limit is None and oom_before is not None and (oom_kills() or 0) > oom_before:
            limit = "memory"
        if limit is not None:
            message = {
                "time": f"the cell used more than {limits['time_s']:g} s of CPU time or waited more than "
                f"{limits['wall_s']:g} s",
                "memory": f"the session's processes used more than {limits['memory_mb']} MB",
                "output": f"the cell printed more than {limits['output_kb']} KB",
            }[limit]
            failed = _failed(_STATUS_OF_LIMIT[limit], "LimitExceeded", message + "; the kernel was restarted")
        else:
            code = watched.status
            how = (
                f"exit code {os.WEXITSTATUS(code)}"
                if code is not None and os.WIFEXITED(code)
                else f"signal {os.WTERMSIG(code)}"
                if code is not None
                else "no answer"
            )
            failed = _failed("error", "KernelDied", f"the interpreter ended ({how}); its state is lost")
        return {**output, **failed, "state_lost": True}


def _reported(line: bytes) -> dict[str, Any]:
    try:
        result = json.loads(line.split(b"\n", 1)[0])
        status = result["status"]
        error = result.get("error")
    except (ValueError, KeyError, TypeError):
        return _failed("error", "KernelError", "the kernel's report of the cell is unreadable")
    if status not in ("ok", "error"):
        return _failed("error", "KernelError", "the kernel reported an unknown status")
    if isinstance(error, dict) and error.get("type") == "MemoryError":
        status = "memory_limit"  # the allocation failed under the address-space limit; the kernel lives on
    value = result.get("value")
    return {"status": status, "value": value if isinstance(value, str) else None, "error": _error(error)}


def _error(error: Any) -> dict[str, str] | None:
    if not isinstance(error, dict):
        return None
    return {key: str(error.get(key, ""))[:16384] for key in ("type", "message", "traceback")}


def _failed(status: str, kind: str, message: str) -> dict[str, Any]:
    return {"status": status, "value": None, "error": {"type": kind, "message": message, "traceback": ""}}


def _write_all(fd: int, data: bytes) -> None:
    # A kernel that died leaves a pipe without a reader: an error here, not the driver's SIGPIPE.
    previous = signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        signal.signal(signal.SIGPIPE, previous)
