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

import base64
import json
import math
import os
import resource
import select
import selectors
import signal
import stat
import subprocess
import sys
import time
from typing import Any

import landlock

WORK_ROOT = os.environ.get("SANDBOX_WORK_ROOT", "/box")
STDERR_TAIL = 4096
IS_NAMESPACE_INIT = os.getpid() == 1
# /tmp and /dev/shm are the sandbox's own tmpfs only inside a namespace; never wipe a host's.
SCRATCH_DIRS = tuple(path for path in ("/tmp", "/dev/shm") if os.path.isdir(path)) if IS_NAMESPACE_INIT else ()
# What one request may send back of its programs' output, all runs together: one item
# printing at the cap in every run must not become a reply the host cannot take.
DEFAULT_REPLY_KB = 32 * 1024
# How often a run's process tree is measured (memory, CPU time) while it runs.
MEASURE_INTERVAL_S = 0.05
# Clean-up never takes longer than this; past it the session is reported dirty (and
# replaced), and the item keeps its verdict.
CLEANUP_BUDGET_S = 5.0
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# The programs' processes are confined with Landlock (see landlock.py) inside a sandbox
# whose kernel has it; 0 where it has not (and outside a sandbox: unsafe mode).
LANDLOCK_ABI = landlock.abi_version() if IS_NAMESPACE_INIT else 0


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


def _child_setup(limits: dict[str, Any], confine_to: str | None = None) -> Any:
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
        # _remove_sysv_ipc) they cannot be listed without a mount, so none may be made.
        resource.setrlimit(resource.RLIMIT_MSGQUEUE, (0, 0))
        for name in ("SIGPIPE", "SIGXFSZ"):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
        if confine_to is not None and LANDLOCK_ABI:
            landlock.restrict(LANDLOCK_ABI, WORK_ROOT, [confine_to, *SCRATCH_DIRS])

    return setup


class _Tree:
    """The processes of one run, measured together: an item's limits hold for all the
    processes its program starts, not for each one alone."""

    def __init__(self, pid: int, exclude: frozenset[int] = frozenset(), *, holds_detached: bool = True) -> None:
        self.pid = pid
        self.peak_kb = 0
        self.exclude = exclude  # an interactor's process: measured apart
        # Whether detached shared memory is this tree's (the program's, never a judge's).
        self.holds_detached = holds_detached

    def pids(self) -> list[int]:
        # Inside the namespace every process but the driver belongs to the run (the
        # previous run's were killed before this one started).
        if not IS_NAMESPACE_INIT:
            return [self.pid]
        return [pid for pid in _other_processes() if pid not in self.exclude]

    def limit_hit(self, cpu_limit: float, memory_limit_kb: int | None) -> str | None:
        """ "time" or "memory" when the tree is past that limit now, else None."""
        if self.cpu_s() > cpu_limit:
            return "time"
        if memory_limit_kb and self.memory_kb() > memory_limit_kb:
            return "memory"
        return None

    def memory_kb(self) -> int:
        # Proportional set size: pages a forked child still shares with its parent count once.
        # Shared memory the run made and detached holds memory no process shows: it counts too.
        total = _detached_shm_kb() if self.holds_detached else 0
        for pid in self.pids():
            total += _pss_kb(pid)
        self.peak_kb = max(self.peak_kb, total)
        return total

    def cpu_s(self) -> float:
        """CPU time of the run so far: every live process, and what the main process reaped."""
        ticks = 0
        for pid in self.pids():
            fields = _stat_fields(pid)
            if fields is not None:
                ticks += fields[11] + fields[12]  # utime, stime
                if pid == self.pid:
                    ticks += fields[13] + fields[14]  # cutime, cstime of reaped children
        return ticks / CLOCK_TICKS


def _stat_fields(pid: int) -> list[int] | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            text = handle.read()
    except OSError:
        return None
    # The command name is in parentheses and may hold spaces or parentheses itself.
    rest = text[text.rfind(b")") + 2 :].split()
    try:
        # rest[0] is field 3 (state): utime, stime, cutime, cstime are rest[11:15].
        return [int(field) if field.lstrip(b"-").isdigit() else 0 for field in rest]
    except ValueError:
        return None


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * PAGE_KB
    except (OSError, ValueError, IndexError):
        return 0


def _run(
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
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": cwd,
        "LANG": "C.UTF-8",
        "TMPDIR": SCRATCH_DIRS[0] if SCRATCH_DIRS else cwd,
    }
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
            preexec_fn=_child_setup(limits, None if judge else cwd),
            start_new_session=True,
            pass_fds=(write3,) if write3 is not None else (),
        )
    except OSError as exc:
        return {"exit_code": None, "signal": None, "error": f"could not start {argv[0]}: {exc}", "wall_s": 0.0}
    finally:
        if write3 is not None:
            os.close(write3)

    output_cap = min(limits["output_kb"] * 1024, max(reply_left, 0))
    cpu_limit = float(limits["time_s"])
    # Time limits are on CPU time, so a busy neighbour cannot turn a correct program
    # into a time_limit; wall time (the service's rule: wall_s) bounds programs that wait.
    wall_limit = float(limits["wall_s"])
    memory_limit_kb = int(limits.get("memory_mb") or 0) * 1024
    deadline = started + wall_limit
    tree = _Tree(proc.pid)
    next_measure = started + MEASURE_INTERVAL_S
    stdout = bytearray()
    stderr = bytearray()
    extra = bytearray()
    limit_hit: str | None = None
    reply_cut = False
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
        nonlocal limit_hit, reply_cut
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return True
        if not chunk:
            return False
        buffer.extend(chunk)
        if buffer is stderr:
            del stderr[:-STDERR_TAIL]
        elif judge:
            del buffer[output_cap:]
        elif len(stdout) + len(extra) > output_cap:
            limit_hit = "output"
            reply_cut = output_cap < limits["output_kb"] * 1024
        return True

    while exited is None and limit_hit is None:
        now = time.monotonic()
        remaining = deadline - now
        if remaining <= 0:
            limit_hit = "time"
            break
        waited, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if waited == proc.pid:
            exited = (status, usage)
            break
        if now >= next_measure:
            next_measure = now + MEASURE_INTERVAL_S
            limit_hit = tree.limit_hit(cpu_limit, memory_limit_kb)
            if limit_hit is not None:
                break
        # Without a pidfd, poll for the exit at a short interval.
        wait = min(remaining, max(next_measure - now, 0.001), MEASURE_INTERVAL_S if pidfd is not None else 0.02)
        for key, _ in selector.select(wait):
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

    cpu_tree = tree.cpu_s()
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

    cpu = max(usage.ru_utime + usage.ru_stime, cpu_tree)
    if limit_hit is None and cpu > cpu_limit:
        limit_hit = "time"
    kept = bytes(stdout[:output_cap])
    result: dict[str, Any] = {
        "exit_code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
        "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
        # Base64: any bytes cost 4/3 on the wire, where JSON escapes of control bytes cost 6.
        "stdout_b64": base64.b64encode(kept).decode("ascii"),
        "stdout_bytes": len(kept),
        "stderr": bytes(stderr).decode("utf-8", "replace"),
        "wall_s": round(wall, 4),
        "cpu_s": round(cpu, 4),
        "max_rss_kb": usage.ru_maxrss,
        "tree_memory_kb": tree.peak_kb,
        "limit": limit_hit,
        # SIGKILL that we did not send: the memory cgroup's OOM killer, when it says so.
        "oom_killed": oom_before is not None and (_oom_kills() or 0) > oom_before,
    }
    if reply_cut:
        result["reply_budget_exhausted"] = True
    if fd3:
        result["fd3"] = bytes(extra[: STDERR_TAIL * 256]).decode("utf-8", "replace")
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


# System V IPC objects outlive the processes that made them. Inside the sandbox every
# object is the programs' (the driver makes none), and the IPC namespace is the session's.
_SYSV_TABLES = ("shm", "sem", "msg")
_IPC_RMID = 0


def _sysv_rows(table: str) -> list[list[str]]:
    if not IS_NAMESPACE_INIT:
        return []
    try:
        with open(f"/proc/sysvipc/{table}") as handle:
            lines = handle.read().splitlines()[1:]
    except OSError:
        return []
    return [line.split() for line in lines if line.strip()]


def _detached_shm_kb() -> int:
    """Resident memory of the shared-memory segments no process has attached."""
    total = 0
    for row in _sysv_rows("shm"):
        # key shmid perms size cpid lpid nattch uid gid cuid cgid atime dtime ctime rss swap
        if len(row) > 14 and row[6] == "0" and row[14].isdigit():
            total += int(row[14])
    return total // 1024


def _remove_sysv_ipc() -> bool:
    """Remove every System V shared-memory segment, semaphore set and message queue of the
    session, so that no run sees (or pays the memory of) what an earlier run left; True
    when none is left. Called once the run's processes are gone: removal then frees them.
    The driver has the programs' uid, which may always remove what that uid created."""
    rows = {table: _sysv_rows(table) for table in _SYSV_TABLES}
    if not any(rows.values()):
        return True
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for row in rows["shm"]:
        libc.shmctl(int(row[1]), _IPC_RMID, None)
    for row in rows["sem"]:
        libc.semctl(int(row[1]), 0, _IPC_RMID)
    for row in rows["msg"]:
        libc.msgctl(int(row[1]), _IPC_RMID, None)
    return not any(_sysv_rows(table) for table in _SYSV_TABLES)


def _kill_others() -> int:
    """Kill and reap every process of the namespace but this one, and remove the System V
    IPC objects they made; returns how many processes there were."""
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
    _remove_sysv_ipc()
    return len(leftovers)


def _wipe_contents(top: str, deadline: float) -> bool:
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


def _reap_all() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


class _WorkDir:
    """The request's files (and what compiling made of them), restored before every run:
    nothing one run of a program writes (a usercustomize.py, a changed binary, a file in
    /tmp or /dev/shm) is there for the next run of the same item."""

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
        clean = _wipe_all(time.monotonic() + CLEANUP_BUDGET_S)
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


def _wipe_all(deadline: float) -> bool:
    clean = True
    for top in (WORK_ROOT, *SCRATCH_DIRS):
        clean = _wipe_contents(top, deadline) and clean
    return clean


def _clean_up() -> dict[str, Any]:
    """Kill whatever the program left behind and wipe the writable places. Never raises:
    a program that defeats clean-up costs its session, never its verdict."""
    leftovers = 0
    clean = False
    try:
        leftovers = _kill_others()
        ipc_clean = _remove_sysv_ipc()
        clean = not _other_processes() and ipc_clean
        clean = _wipe_all(time.monotonic() + CLEANUP_BUDGET_S) and clean
    except Exception:
        clean = False
    return {"leftover_processes": leftovers, "clean": clean}


def _write_files(work: str, files: dict[str, str]) -> None:
    for name, content in files.items():
        path = os.path.join(work, name)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(content)


# Compiled checkers and interactors of recent requests, by the host's key: a problem's
# judge is compiled once per session, not once per item. In this process's memory, which
# the programs cannot read or write (the driver is undumpable), and never on disk while a
# program runs. A judge that did not compile is kept as its compiler's result: the same
# sources fail the same way, so they are not compiled again for the next item.
_JUDGES: dict[str, list[tuple[str, bytes, int]] | dict[str, Any]] = {}
_JUDGE_CACHE = 8
CHECKER_DIR = os.path.join(WORK_ROOT, "c")
INTERACTOR_DIR = os.path.join(WORK_ROOT, "i")


def _prepare_judge(block: dict[str, Any], path: str, reply: dict[str, Any], reply_key: str) -> _WorkDir | None:
    """A checker's or interactor's directory, compiled (or from the cache) and snapshot;
    None if it did not compile (the compiler's result is in ``reply[reply_key]``)."""
    place = _WorkDir(path)
    cached = _JUDGES.get(block["key"])
    if isinstance(cached, dict):
        reply[reply_key] = cached
        return None
    if cached is not None:
        place.files = cached
        return place
    os.makedirs(path, exist_ok=True)
    _write_files(path, block.get("files", {}))
    step = block.get("compile")
    failed = False
    if step:
        done = _run(step["argv"], "", step["limits"], path, False, 64 * 1024, judge=True)
        reply[reply_key] = done
        # A compiler that could not start, or ran out of time on a busy host, says
        # nothing of the sources: not remembered.
        failed = done["exit_code"] != 0 or bool(done["limit"])
        if failed and not done.get("error") and not done["limit"]:
            _remember_judge(block["key"], done)
    if failed:
        return None
    _kill_others()
    place.snapshot()
    _remember_judge(block["key"], place.files)
    return place


def _remember_judge(key: str, judge: list[tuple[str, bytes, int]] | dict[str, Any]) -> None:
    _JUDGES[key] = judge
    while len(_JUDGES) > _JUDGE_CACHE:
        del _JUDGES[next(iter(_JUDGES))]


def _check(checker: dict[str, Any], place: _WorkDir, stdin: str, output: bytes, answer: str) -> dict[str, Any]:
    """Run the checker on one run's output (every process of the run is gone by now)."""
    place.restore()  # wipes the program's work dir, /tmp and /dev/shm first
    for name, content in (("input.txt", stdin.encode()), ("output.txt", output), ("answer.txt", answer.encode())):
        with open(os.path.join(CHECKER_DIR, name), "wb") as handle:
            handle.write(content)
    limits = checker["limits"]
    return _run(checker["argv"], "", limits, CHECKER_DIR, False, limits["output_kb"] * 1024, judge=True)


def _memfd(name: str, content: bytes) -> int:
    fd = os.memfd_create(name, 0)
    os.write(fd, content)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def _interact(
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
        _memfd("input", spec.get("input", "").encode()),
        _memfd("output", b""),
        _memfd("answer", spec.get("answer", "").encode()),
    ]
    to_judge_r, to_judge_w = os.pipe()
    to_program_r, to_program_w = os.pipe()
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
    oom_before = _oom_kills()
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
                preexec_fn=_child_setup(judge["limits"]),
                start_new_session=True,
                pass_fds=tuple(files),
            )
        )
        procs.append(
            subprocess.Popen(
                run["argv"],
                cwd=cwd,
                env={**env, "HOME": cwd, "TMPDIR": SCRATCH_DIRS[0] if SCRATCH_DIRS else cwd},
                stdin=to_program_r,
                stdout=to_judge_w,
                stderr=subprocess.PIPE,
                preexec_fn=_child_setup(limits, cwd),
                start_new_session=True,
            )
        )
    except OSError as exc:
        for proc in procs:
            _kill_group(proc.pid)
            proc.wait()
        return {"exit_code": None, "signal": None, "error": f"could not start {exc.filename}: {exc}", "wall_s": 0.0}
    finally:
        for fd in (to_judge_r, to_judge_w, to_program_r, to_program_w):
            os.close(fd)
    judge_proc, program = procs
    program_tree = _Tree(program.pid, exclude=frozenset({judge_proc.pid}))
    judge_tree = _Tree(judge_proc.pid, holds_detached=False)
    judge_tree.pids = lambda: [judge_proc.pid]  # type: ignore[method-assign]
    cpu_limit = float(limits["time_s"])
    judge_cpu_limit = float(judge["limits"]["time_s"])
    deadline = started + float(limits["wall_s"])
    memory_limit_kb = int(limits.get("memory_mb") or 0) * 1024
    judge_memory_limit_kb = int(judge["limits"].get("memory_mb") or 0) * 1024
    stderr = {program.pid: bytearray(), judge_proc.pid: bytearray()}
    streams = {proc.stderr.fileno(): stderr[proc.pid] for proc in procs if proc.stderr is not None}
    for fd in streams:
        os.set_blocking(fd, False)
    status: dict[int, tuple[int, Any]] = {}
    limit_hit: str | None = None
    judge_limit: str | None = None
    while len(status) < 2:
        for proc in procs:
            if proc.pid not in status:
                waited, code, usage = os.wait4(proc.pid, os.WNOHANG)
                if waited == proc.pid:
                    status[proc.pid] = (code, usage)
        if len(status) == 2:
            break
        if time.monotonic() >= deadline:
            limit_hit = "time"
            break
        if program.pid not in status:
            limit_hit = program_tree.limit_hit(cpu_limit, memory_limit_kb)
            if limit_hit is not None:
                break
        if judge_proc.pid not in status:
            judge_limit = judge_tree.limit_hit(judge_cpu_limit, judge_memory_limit_kb)
            if judge_limit is not None:
                break
        readable, _, _ = select.select(list(streams), [], [], MEASURE_INTERVAL_S)
        for fd in readable:
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                continue
            if chunk:
                streams[fd].extend(chunk)
                del streams[fd][:-STDERR_TAIL]
    killed = {proc.pid for proc in procs if proc.pid not in status}
    for proc in procs:
        if proc.pid not in status:
            _kill_group(proc.pid)
            _, code, usage = os.wait4(proc.pid, 0)
            status[proc.pid] = (code, usage)
        _kill_group(proc.pid)
        proc.returncode = 0  # reaped above
        if proc.stderr is not None:
            proc.stderr.close()
    wall = time.monotonic() - started
    os.lseek(files[1], 0, os.SEEK_SET)
    judge_output = os.read(files[1], 64 * 1024)
    for fd in files:
        os.close(fd)

    def ended(pid: int) -> dict[str, Any]:
        code, usage = status[pid]
        return {
            "exit_code": os.WEXITSTATUS(code) if os.WIFEXITED(code) else None,
            "signal": os.WTERMSIG(code) if os.WIFSIGNALED(code) else None,
            "stderr": bytes(stderr[pid]).decode("utf-8", "replace"),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 4),
            "max_rss_kb": usage.ru_maxrss,
        }

    result = ended(program.pid)
    cpu = max(result["cpu_s"], program_tree.cpu_s())
    if limit_hit is None and cpu > cpu_limit:
        limit_hit = "time"
    result.update(
        {
            "stdout_b64": "",
            "stdout_bytes": 0,
            "wall_s": round(wall, 4),
            "cpu_s": round(cpu, 4),
            "tree_memory_kb": program_tree.peak_kb,
            "limit": limit_hit,
            "oom_killed": oom_before is not None and (_oom_kills() or 0) > oom_before,
        }
    )
    interactor = ended(judge_proc.pid)
    interactor["limit"] = judge_limit
    interactor["stdout_b64"] = base64.b64encode(judge_output).decode("ascii")
    # What the driver itself killed at the end is not the interactor's failure.
    interactor["killed_by_driver"] = judge_proc.pid in killed
    result["interact"] = interactor
    return result


def _inside(work: str, name: str) -> str:
    """The path of `name` in the work dir; a name that would leave it (absolute, `..`) is refused."""
    relative = os.path.normpath(name)
    if not name or os.path.isabs(name) or relative == "." or relative.split(os.sep)[0] == "..":
        raise ValueError(f"file name {name[:200]!r} is not a relative path inside the work dir")
    return os.path.join(work, relative)


def _write_binary_files(work: str, files: dict[str, str]) -> None:
    """Files the caller sends as base64 (data files, inputs a program reads)."""
    for name, content in files.items():
        path = _inside(work, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(base64.b64decode(content, validate=True))


def _open_no_links(work: str, name: str) -> int:
    """A read descriptor of `name` in the work dir, where no part of the path may be a
    symlink: a program could link a directory to /proc/1 and have the driver read its own."""
    parts = os.path.relpath(_inside(work, name), work).split(os.sep)
    directory = os.open(work, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        for part in parts[:-1]:
            deeper = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=directory)
            os.close(directory)
            directory = deeper
        return os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=directory)
    finally:
        os.close(directory)


def _fetch_files(work: str, names: list[str], budget: int) -> dict[str, str | None]:
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


def handle(request: dict[str, Any]) -> dict[str, Any]:
    work = _WorkDir(os.path.join(WORK_ROOT, "w"))
    reply: dict[str, Any] = {"nonce": request["nonce"], "compile": None, "runs": []}
    reply_left = int(request.get("reply_kb") or DEFAULT_REPLY_KB) * 1024
    judges: dict[str, _WorkDir] = {}
    for field, path in (("checker", CHECKER_DIR), ("interactor", INTERACTOR_DIR)):
        if request.get(field):
            place = _prepare_judge(request[field], path, reply, f"{field}_compile")
            if place is None:
                reply.update(_clean_up())
                return reply
            judges[field] = place
    if judges:
        _wipe_all(time.monotonic() + CLEANUP_BUDGET_S)  # the program never sees a judge's files
    os.makedirs(work.path, exist_ok=True)
    _write_files(work.path, request.get("files", {}))
    _write_binary_files(work.path, request.get("files_b64", {}))
    compile_step = request.get("compile")
    if compile_step:
        reply["compile"] = _run(compile_step["argv"], "", compile_step["limits"], work.path, False, reply_left)
        done = reply["compile"]
        if done["exit_code"] != 0 or done["limit"]:
            reply.update(_clean_up())
            return reply
    runs = request.get("runs", [])
    leftovers = 0
    reset_clean = True
    if len(runs) > 1:
        leftovers += _kill_others()  # a compiler's stray children, if any
        work.snapshot()
    for index, run in enumerate(runs):
        if index > 0:
            # Nothing of one run (a process it left, a file it wrote) reaches the next.
            leftovers += _kill_others()
            # Both always run: a check that fails must not skip restoring the work dir.
            ipc_clean = _remove_sysv_ipc()
            reset_clean = work.restore() and ipc_clean and reset_clean
        check = run.get("check")
        stdin = run.get("stdin", "")
        if run.get("interact") is not None and "interactor" in judges:
            leftovers += _kill_others()
            judges["interactor"].write_out()
            result = _interact(run, request["limits"], request["interactor"], work.path, INTERACTOR_DIR)
            interactor = result.get("interact", {})
            failed = result["exit_code"] != 0 or interactor.get("exit_code") != 0
        elif check is not None and "checker" in judges:
            # A checked run's output goes to the checker, not back to the host: it costs no reply budget.
            budget = request["limits"]["output_kb"] * 1024
            result = _run(run["argv"], stdin, request["limits"], work.path, False, budget)
            output = base64.b64decode(result.pop("stdout_b64", ""))
            result["stdout_b64"] = ""
            failed = result["exit_code"] != 0
            if not failed and not result.get("limit"):
                leftovers += _kill_others()  # nothing of the program may touch the checker
                result["check"] = _check(request["checker"], judges["checker"], stdin, output, check.get("answer", ""))
                reply_left -= result["check"].get("stdout_bytes", 0)
                failed = result["check"]["exit_code"] != 0
        else:
            result = _run(run["argv"], stdin, request["limits"], work.path, run.get("fd3", False), reply_left)
            reply_left -= result.get("stdout_bytes", 0) + len(result.get("fd3", ""))
            failed = result["exit_code"] != 0
        reply["runs"].append(result)
        if request.get("stop_on_failure") and failed:
            break
    if request.get("fetch"):
        # Read before clean-up wipes the work dir; the files share the reply's budget.
        reply["fetched"] = _fetch_files(work.path, request["fetch"], max(reply_left, 0))
    reply.update(_clean_up())
    reply["leftover_processes"] += leftovers
    reply["clean"] = reply["clean"] and reset_clean
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
