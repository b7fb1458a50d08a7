"""The in-sandbox driver: runs untrusted programs on request, one request at a time.

It is the long-lived process of a sandbox session (the container's entrypoint, or
the process bubblewrap starts) and speaks one JSON object per line on stdin and
stdout. It knows nothing of languages or tests: the host sends files, an optional
compile command and the runs to make; the driver applies the limits to each run,
captures what the program printed, and reports how each run ended. Expected
outputs never enter the sandbox: the host compares.

Standard library only: it runs on the sandbox image's python3 and on the host's.

When the driver is PID 1 of its own PID namespace (the docker and bwrap
backends), the program cannot kill it (the kernel ignores SIGKILL sent to a
namespace's init from inside), and after each request it kills and reaps every
other process in the namespace, so nothing outlives the request.
"""

from __future__ import annotations

import json
import os
import resource
import select
import selectors
import shutil
import signal
import subprocess
import sys
import time
from typing import Any

WORK_ROOT = os.environ.get("SANDBOX_WORK_ROOT", "/box")
STDERR_TAIL = 4096
IS_NAMESPACE_INIT = os.getpid() == 1
# /tmp is the sandbox's own tmpfs only inside a namespace; never wipe a host's /tmp.
SCRATCH_DIRS = ("/tmp",) if IS_NAMESPACE_INIT else ()


_OOM_COUNTERS = ("/sys/fs/cgroup/memory.events", "/sys/fs/cgroup/memory/memory.oom_control")


def _oom_kills() -> int | None:
    """How often the container's memory cgroup has OOM-killed (v2 or v1), if visible."""
    for path in _OOM_COUNTERS:
        try:
            with open(path) as handle:
                for line in handle:
                    name, _, value = line.partition(" ")
                    if name == "oom_kill":
                        return int(value)
        except OSError:
            continue
    return None


def _make_undumpable() -> None:
    # Makes /proc/1/{fd,mem,environ} unreadable to the program, though it runs as the
    # same uid: it cannot forge the driver's replies or read its memory.
    try:
        import ctypes

        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4
    except Exception:
        pass


def _child_setup(limits: dict[str, Any]) -> Any:
    def setup() -> None:
        cpu = int(limits["time_s"]) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        file_bytes = limits["file_kb"] * 1024
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
        if limits.get("address_space_mb"):
            space = limits["address_space_mb"] * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (space, space))
        if limits.get("processes"):
            resource.setrlimit(resource.RLIMIT_NPROC, (limits["processes"], limits["processes"]))
        for name in ("SIGPIPE", "SIGXFSZ"):
            signal.signal(getattr(signal, name), signal.SIG_DFL)

    return setup


def _run(argv: list[str], stdin: str, limits: dict[str, Any], cwd: str, fd3: bool) -> dict[str, Any]:
    read3 = write3 = None
    if fd3:
        read3, write3 = os.pipe()
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": cwd, "LANG": "C.UTF-8", "TMPDIR": SCRATCH_DIRS[0] if SCRATCH_DIRS else cwd}
    if write3 is not None:
        # The runners report on this descriptor, apart from the program's stdout.
        env["RESULT_FD"] = str(write3)
    oom_before = _oom_kills()
    started = time.monotonic()
    try:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            preexec_fn=_child_setup(limits),
            start_new_session=True,
            pass_fds=(write3,) if write3 is not None else (),
        )
    except OSError as exc:
        return {"exit_code": None, "signal": None, "error": f"could not start {argv[0]}: {exc}", "wall_s": 0.0}
    finally:
        if write3 is not None:
            os.close(write3)

    output_cap = limits["output_kb"] * 1024
    deadline = started + limits["time_s"]
    stdout = bytearray()
    stderr = bytearray()
    extra = bytearray()
    limit_hit: str | None = None
    exited: tuple[int, Any] | None = None
    selector = selectors.DefaultSelector()
    assert proc.stdout is not None and proc.stderr is not None and proc.stdin is not None
    outputs = [(proc.stdout.fileno(), stdout), (proc.stderr.fileno(), stderr)]
    if read3 is not None:
        outputs.append((read3, extra))
    for fd, buffer in outputs:
        os.set_blocking(fd, False)
        selector.register(fd, selectors.EVENT_READ, buffer)
    # The program's exit ends the run even while a child it left holds the pipes open.
    pidfd = _pidfd(proc.pid)
    if pidfd is not None:
        selector.register(pidfd, selectors.EVENT_READ, "exit")
    pending_input = memoryview(stdin.encode())
    os.set_blocking(proc.stdin.fileno(), False)
    if pending_input:
        selector.register(proc.stdin, selectors.EVENT_WRITE, None)
    else:
        proc.stdin.close()

    def take(fd: int, buffer: bytearray) -> bool:
        """Read what is there; False at end of stream. Sets limit_hit past the output cap."""
        nonlocal limit_hit
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return True
        if not chunk:
            return False
        buffer.extend(chunk)
        if buffer is stderr:
            del stderr[:-STDERR_TAIL]
        elif len(stdout) + len(extra) > output_cap:
            limit_hit = "output"
        return True

    while exited is None and limit_hit is None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            limit_hit = "time"
            break
        waited, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if waited == proc.pid:
            exited = (status, usage)
            break
        # Without a pidfd, poll for the exit at a short interval.
        for key, _ in selector.select(min(remaining, 0.5 if pidfd is not None else 0.02)):
            if key.data == "exit":
                continue  # reaped at the top of the loop
            if key.data is None:  # the program's stdin
                try:
                    sent = os.write(key.fd, pending_input[:65536])
                    pending_input = pending_input[sent:]
                except BlockingIOError:
                    continue
                except BrokenPipeError:
                    pending_input = pending_input[:0]
                if not pending_input:
                    selector.unregister(key.fileobj)
                    proc.stdin.close()
                continue
            if not take(key.fd, key.data):
                selector.unregister(key.fd)
            if limit_hit is not None:
                break

    if exited is None:
        _kill_group(proc.pid)
        _, status, usage = os.wait4(proc.pid, 0)
    else:
        status, usage = exited
        # What the program wrote before it exited is still in the pipes.
        for fd, buffer in outputs:
            while limit_hit is None and take(fd, buffer) and _readable(fd) and time.monotonic() < deadline:
                pass
    proc.returncode = 0  # reaped above; keeps Popen from waiting again
    wall = time.monotonic() - started
    _kill_group(proc.pid)  # children the program left in its group
    for stream in (proc.stdout, proc.stderr):
        stream.close()
    if not proc.stdin.closed:
        try:
            proc.stdin.close()
        except OSError:
            pass
    if read3 is not None:
        os.close(read3)
    if pidfd is not None:
        os.close(pidfd)
    selector.close()

    result: dict[str, Any] = {
        "exit_code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
        "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
        "stdout": bytes(stdout[:output_cap]).decode("utf-8", "replace"),
        "stderr": bytes(stderr).decode("utf-8", "replace"),
        "wall_s": round(wall, 4),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 4),
        "max_rss_kb": usage.ru_maxrss,
        "limit": limit_hit,
        # SIGKILL that we did not send: the memory cgroup's OOM killer, when it says so.
        "oom_killed": oom_before is not None and (_oom_kills() or 0) > oom_before,
    }
    if fd3:
        result["fd3"] = bytes(extra).decode("utf-8", "replace")
    return result


def _pidfd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def _readable(fd: int) -> bool:
    readable, _, _ = select.select([fd], [], [], 0)
    return bool(readable)


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _other_processes() -> list[int]:
    if not IS_NAMESPACE_INIT:
        return []
    return [int(name) for name in os.listdir("/proc") if name.isdigit() and int(name) != 1]


def _clean_up() -> dict[str, Any]:
    """Kill whatever the program left behind and wipe the writable places."""
    leftovers = _other_processes()
    if IS_NAMESPACE_INIT:
        # Only safe as the namespace's init: -1 means every process of this namespace.
        for _ in range(50):
            try:
                os.kill(-1, signal.SIGKILL)
            except ProcessLookupError:
                pass
            _reap_all()
            if not _other_processes():
                break
            time.sleep(0.01)
    _reap_all()
    clean = not _other_processes()
    for top in (WORK_ROOT, *SCRATCH_DIRS):
        for name in os.listdir(top) if os.path.isdir(top) else []:
            path = os.path.join(top, name)
            _make_writable(path)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                try:
                    os.unlink(path)
                except OSError:
                    pass
            if os.path.lexists(path):
                clean = False
    return {"leftover_processes": len(leftovers), "clean": clean}


def _make_writable(path: str) -> None:
    # A program may chmod its files read-only to survive into the next request.
    for root, dirs, _files in os.walk(path):
        for name in dirs:
            try:
                os.chmod(os.path.join(root, name), 0o700)
            except OSError:
                pass
    try:
        os.chmod(path, 0o700)
    except OSError:
        pass


def _reap_all() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def handle(request: dict[str, Any]) -> dict[str, Any]:
    work = os.path.join(WORK_ROOT, "w")
    os.makedirs(work, exist_ok=True)
    for name, content in request.get("files", {}).items():
        path = os.path.join(work, name)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(content)
    reply: dict[str, Any] = {"nonce": request["nonce"], "compile": None, "runs": []}
    compile_step = request.get("compile")
    if compile_step:
        reply["compile"] = _run(compile_step["argv"], "", compile_step["limits"], work, fd3=False)
        done = reply["compile"]
        if done["exit_code"] != 0 or done["limit"]:
            reply.update(_clean_up())
            return reply
    for run in request.get("runs", []):
        reply["runs"].append(_run(run["argv"], run.get("stdin", ""), request["limits"], work, run.get("fd3", False)))
        if request.get("stop_on_failure") and reply["runs"][-1]["exit_code"] != 0:
            break
    reply.update(_clean_up())
    return reply


def main() -> None:
    _make_undumpable()
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            reply = handle(json.loads(line))
        except Exception as exc:  # the host turns this into sandbox_error
            reply = {"nonce": None, "driver_error": f"{type(exc).__name__}: {exc}"}
            reply.update(_clean_up())
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
