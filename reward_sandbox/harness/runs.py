"""Starting runs: a program (or a compiler, or a checker) alone, or a program wired to its
interactor; each with its limits set in the child, watched by watch.py, and reported
as the reply's run record.

The limits a kernel can hold per process (CPU backstop, file size, address space,
process count, no core, no message queue) are set between fork and exec, with
Landlock confining the program's processes to its work dir and the scratch places;
the limits that hold for a whole tree (CPU time, memory), the wall time and the
output cap are the watch loop's.
"""

from __future__ import annotations

import base64
import math
import os
import resource
import signal
import subprocess
import time
from typing import Any

import landlock
from box import LANDLOCK_ABI, PATH, SCRATCH_DIRS, WORK_ROOT, oom_kills, scratch_dir
from cleanup import kill_group
from fds import memfd
from proc_tree import Tree
from watch import STDERR_TAIL, Streams, Watched, watch

# How much of an interactor's output file a reply carries.
_INTERACTOR_OUTPUT = 64 * 1024


def child_setup(limits: dict[str, Any], confine_to: str | None = None) -> Any:
    """The child's limits, set between fork and exec. With `confine_to` (a program's
    process, or its compiler), it may reach its work dir and the scratch places, read the
    system's files, and nothing else: not the judges' directories, not the driver or a
    judge as a process."""

    def setup() -> None:
        # A per-process backstop; the run's CPU time is measured over its whole tree.
        cpu = math.ceil(limits["time_s"]) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        file_bytes = limits["file_kb"] * 1024
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
        if limits.get("address_space_mb"):
            space = limits["address_space_mb"] * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (space, space))
        if limits.get("processes"):
            resource.setrlimit(resource.RLIMIT_NPROC, (limits["processes"], limits["processes"]))
        # No POSIX message queue: unlike System V objects (removed after every run, see
        # cleanup.remove_sysv_ipc) they cannot be listed without a mount, so none may be made.
        resource.setrlimit(resource.RLIMIT_MSGQUEUE, (0, 0))
        for name in ("SIGPIPE", "SIGXFSZ"):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
        if confine_to is not None and LANDLOCK_ABI:
            landlock.restrict(LANDLOCK_ABI, WORK_ROOT, [confine_to, *SCRATCH_DIRS])

    return setup


def program_env(cwd: str) -> dict[str, str]:
    """What a program (or a session's interpreter) runs with: no variable of the driver's."""
    return {"PATH": PATH, "HOME": cwd, "LANG": "C.UTF-8", "TMPDIR": scratch_dir(cwd)}


def run_program(
    argv: list[str],
    stdin: str,
    limits: dict[str, Any],
    cwd: str,
    fd3: bool,
    reply_left: int,
    *,
    judge: bool = False,
) -> dict[str, Any]:
    """One run of a program (or, with `judge`, of a checker or a judge's compiler: not
    confined, and output past its cap is dropped rather than a limit: a judge is judged
    by its exit code, and a long message must not cost the item its verdict)."""
    read3 = write3 = None
    if fd3:
        read3, write3 = os.pipe()
    env = program_env(cwd)
    if write3 is not None:
        # The runners report on this descriptor, apart from the program's stdout.
        env["RESULT_FD"] = str(write3)
    oom_before = oom_kills()
    started = time.monotonic()
    try:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            preexec_fn=child_setup(limits, None if judge else cwd),
            start_new_session=True,
            pass_fds=(write3,) if write3 is not None else (),
        )
    except OSError as exc:
        if read3 is not None:
            os.close(read3)
        return {"exit_code": None, "signal": None, "error": f"could not start {argv[0]}: {exc}", "wall_s": 0.0}
    finally:
        if write3 is not None:
            os.close(write3)
    assert proc.stdout is not None and proc.stderr is not None and proc.stdin is not None
    output_cap = min(limits["output_kb"] * 1024, max(reply_left, 0))
    streams = Streams(output_cap, drop_past_cap=judge)
    stdout = streams.capture(proc.stdout.fileno())
    stderr = streams.tail(proc.stderr.fileno())
    extra = streams.capture(read3) if read3 is not None else bytearray()
    streams.feed(proc.stdin, stdin.encode())
    program = Watched(proc, Tree(proc.pid), limits)
    try:
        watch([program], streams, started + float(limits["wall_s"]))
    finally:
        wall = time.monotonic() - started
        streams.close()
        proc.stdout.close()
        proc.stderr.close()
        if read3 is not None:
            os.close(read3)
    cpu = program.cpu_s()
    if program.limit is None and cpu > program.cpu_limit:
        program.limit = "time"
    kept = bytes(stdout[:output_cap])
    result = _ended(program, stderr)
    result.update(
        {
            # Base64: any bytes cost 4/3 on the wire, where JSON escapes of control bytes cost 6.
            "stdout_b64": base64.b64encode(kept).decode("ascii"),
            "stdout_bytes": len(kept),
            "wall_s": round(wall, 4),
            "cpu_s": round(cpu, 4),
            "tree_memory_kb": program.tree.peak_kb,
            "limit": program.limit,
            # SIGKILL that we did not send: the memory cgroup's OOM killer, when it says so.
            "oom_killed": _oom_killed_since(oom_before),
        }
    )
    if program.limit == "output" and output_cap < limits["output_kb"] * 1024:
        result["reply_budget_exhausted"] = True
    if fd3:
        result["fd3"] = bytes(extra[: STDERR_TAIL * 256]).decode("utf-8", "replace")
    return result


def interact(
    run: dict[str, Any], limits: dict[str, Any], judge: dict[str, Any], cwd: str, judge_dir: str
) -> dict[str, Any]:
    """One run of the program wired both ways to the problem's interactor.

    The interactor's files (the test's input and answer, and the output it writes) are
    memory files on descriptors of its own, never paths the program could open. The
    program is confined by Landlock: the interactor's directory (its source, binary and
    support files) is out of its reach, and so is the interactor as a process (its
    descriptors, memory, root; and its signals from Landlock ABI 6). Each is measured
    against its own limits. The run ends when both have exited, or at the program's wall
    limit (a deadlock: both waiting) with both killed.
    """
    if not LANDLOCK_ABI:
        return {
            "exit_code": None,
            "signal": None,
            "error": "interactive problems need Landlock (Linux 5.13 or later, not disabled or filtered): "
            "without it the program could read the interactor's files",
            "wall_s": 0.0,
        }
    spec = run["interact"]
    if not os.path.isabs(judge["argv"][0]):
        # A compiled interactor also runs execute-only, so the kernel makes it undumpable.
        binary = os.path.join(judge_dir, judge["argv"][0])
        if os.path.isfile(binary):
            os.chmod(binary, 0o111)
    files = [
        memfd("input", spec.get("input", "").encode()),
        memfd("output", b""),
        memfd("answer", spec.get("answer", "").encode()),
    ]
    to_judge_r, to_judge_w = os.pipe()
    to_program_r, to_program_w = os.pipe()
    env = {"PATH": PATH, "LANG": "C.UTF-8"}
    oom_before = oom_kills()
    started = time.monotonic()
    procs: list[subprocess.Popen[bytes]] = []
    try:
        procs.append(
            subprocess.Popen(
                [*judge["argv"], *(f"/proc/self/fd/{fd}" for fd in files)],
                cwd=judge_dir,
                env={**env, "HOME": judge_dir, "TMPDIR": judge_dir},
                stdin=to_judge_r,
                stdout=to_program_w,
                stderr=subprocess.PIPE,
                preexec_fn=child_setup(judge["limits"]),
                start_new_session=True,
                pass_fds=tuple(files),
            )
        )
        procs.append(
            subprocess.Popen(
                run["argv"],
                cwd=cwd,
                env=program_env(cwd),
                stdin=to_program_r,
                stdout=to_judge_w,
                stderr=subprocess.PIPE,
                preexec_fn=child_setup(limits, cwd),
                start_new_session=True,
            )
        )
    except OSError as exc:
        for proc in procs:
            kill_group(proc.pid)
            proc.wait()
            if proc.stderr is not None:
                proc.stderr.close()
        for fd in files:
            os.close(fd)
        return {"exit_code": None, "signal": None, "error": f"could not start {exc.filename}: {exc}", "wall_s": 0.0}
    finally:
        for fd in (to_judge_r, to_judge_w, to_program_r, to_program_w):
            os.close(fd)
    judge_proc, program_proc = procs
    assert judge_proc.stderr is not None and program_proc.stderr is not None
    streams = Streams()
    program = Watched(program_proc, Tree(program_proc.pid, exclude=frozenset({judge_proc.pid})), limits)
    interactor = Watched(judge_proc, Tree(judge_proc.pid, holds_detached=False, root_only=True), judge["limits"])
    program_stderr = streams.tail(program_proc.stderr.fileno())
    judge_stderr = streams.tail(judge_proc.stderr.fileno())
    try:
        watch([program, interactor], streams, started + float(limits["wall_s"]))
    finally:
        wall = time.monotonic() - started
        for proc in procs:
            if proc.stderr is not None:
                proc.stderr.close()
        os.lseek(files[1], 0, os.SEEK_SET)
        judge_output = os.read(files[1], _INTERACTOR_OUTPUT)
        for fd in files:
            os.close(fd)
    cpu = program.cpu_s()
    if program.limit is None and cpu > program.cpu_limit:
        program.limit = "time"
    result = _ended(program, program_stderr)
    result.update(
        {
            "stdout_b64": "",
            "stdout_bytes": 0,
            "wall_s": round(wall, 4),
            "cpu_s": round(cpu, 4),
            "tree_memory_kb": program.tree.peak_kb,
            "limit": program.limit,
            "oom_killed": _oom_killed_since(oom_before),
        }
    )
    judged = _ended(interactor, judge_stderr)
    judged["limit"] = interactor.limit
    judged["stdout_b64"] = base64.b64encode(judge_output).decode("ascii")
    # What the driver itself killed at the end is not the interactor's failure.
    judged["killed_by_driver"] = interactor.killed
    result["interact"] = judged
    return result


def _ended(watched: Watched, stderr: bytearray) -> dict[str, Any]:
    """How a watched process ended, as the reply says it."""
    status, usage = watched.status, watched.usage
    assert status is not None
    return {
        "exit_code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
        "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
        "stderr": bytes(stderr).decode("utf-8", "replace"),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 4),
        "max_rss_kb": usage.ru_maxrss,
    }


def _oom_killed_since(before: int | None) -> bool:
    return before is not None and (oom_kills() or 0) > before
