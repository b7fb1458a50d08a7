"""A control group per sandbox session, where the host lets us make them.

RLIMIT_AS and RLIMIT_CPU count per process: a program that forks eight children
of 250 MB each stays under `memory_mb: 256` in every one of them. A memory cgroup
holds the session's whole process tree to the item's limit, and equal CPU shares
per session keep one item's busy children from starving another item's program.

Both cgroup versions are handled: v2 (one unified tree, the usual today) and v1
(a tree per controller, still found on older hosts and some VMs). The groups are
made under the service's own cgroup, so a container's or a systemd unit's limits
still hold above them. Where no group can be made (not root, no delegation, v2
with processes in our own group), `CgroupRoot.create` says why, the backend says
so at start-up, and the driver's own accounting of the process tree is the bound.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

_V1_CONTROLLERS = ("memory", "cpu", "pids")
_V2_CONTROLLERS = ("memory", "cpu", "pids")
# The driver (a Python process) and the tmpfs pages of the item's files live in the
# same group as the program.
DRIVER_HEADROOM_MB = 48


def _mounts() -> list[tuple[str, str, str, str]]:
    """(mount point, root of the mount, filesystem type, super options) of every cgroup mount."""
    found = []
    with open("/proc/self/mountinfo") as handle:
        for line in handle:
            left, _, right = line.partition(" - ")
            fstype, _, options = right.split(" ", 2)
            if fstype in ("cgroup", "cgroup2"):
                fields = left.split(" ")
                found.append((fields[4], fields[3], fstype, options.strip()))
    return found


def _under(point: str, root: str, own: str) -> Path:
    """The directory of cgroup `own` in a mount of the hierarchy's `root`."""
    relative = own[len(root) :] if root != "/" and own.startswith(root) else own
    return Path(point) / relative.lstrip("/")


def _own_paths() -> dict[str, str]:
    """This process's cgroup path per v1 controller, and under "" its v2 path."""
    paths: dict[str, str] = {}
    with open("/proc/self/cgroup") as handle:
        for line in handle:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            for name in controllers.split(",") if controllers else [""]:
                paths[name] = path
    return paths


def _write(path: Path, value: str) -> None:
    path.write_text(value)


@dataclass
class SessionCgroup:
    """One session's groups: where its launcher joins, and the limits the host sets."""

    version: int
    dirs: dict[str, Path]
    memory_bytes: int | None = field(default=None)

    @property
    def procs_files(self) -> list[str]:
        return sorted({str(path / "cgroup.procs") for path in self.dirs.values()})

    @property
    def memory_dir(self) -> Path:
        return self.dirs["memory"]

    def set_memory_mb(self, megabytes: int) -> None:
        """The whole tree's memory limit for the next request (program, runner, driver)."""
        target = (megabytes + DRIVER_HEADROOM_MB) * 1024 * 1024
        if target == self.memory_bytes:
            return
        memory = self.memory_dir
        try:
            if self.version == 2:
                _write(memory / "memory.max", str(target))
                with contextlib.suppress(OSError):
                    _write(memory / "memory.swap.max", "0")
            else:
                # memsw (memory + swap) may never be below the memory limit: raise memsw
                # first, lower it last. A new group starts unlimited, so its first limit lowers.
                memsw = memory / "memory.memsw.limit_in_bytes"
                growing = self.memory_bytes is not None and target > self.memory_bytes
                if growing and memsw.exists():
                    _write(memsw, str(target))
                _write(memory / "memory.limit_in_bytes", str(target))
                if not growing and memsw.exists():
                    _write(memsw, str(target))
            self.memory_bytes = target
        except OSError as exc:
            # Usually: more in use than the new limit (files the wipe has not freed yet).
            log.warning("sandbox cgroup %s: cannot set memory limit %d MB: %s", memory, megabytes, exc)

    def oom_kills(self) -> int | None:
        """How many processes the session's memory cgroup has OOM-killed so far (None: unknown)."""
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        try:
            for line in (self.memory_dir / name).read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        except (OSError, ValueError):
            pass
        return None

    def remove(self) -> None:
        for path in self.dirs.values():
            for _ in range(50):
                try:
                    path.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    # The session's last processes are still exiting.
                    time.sleep(0.02)


class CgroupRoot:
    """Where this process makes its sessions' groups."""

    def __init__(self, version: int, parents: dict[str, Path]) -> None:
        self.version = version
        self.parents = parents
        self._count = 0

    @classmethod
    def create(cls) -> CgroupRoot | str:
        """A root for session groups, or the reason there can be none here."""
        try:
            mounts = _mounts()
            own = _own_paths()
        except OSError as exc:
            return f"cannot read this process's cgroups ({exc})"
        name = f"reward-sandbox-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        v1 = {}
        for point, root, fstype, options in mounts:
            if fstype != "cgroup":
                continue
            for controller in _V1_CONTROLLERS:
                if controller in options.split(",") and controller in own:
                    v1[controller] = _under(point, root, own[controller]) / name
        if set(v1) == set(_V1_CONTROLLERS):
            return cls._make(1, v1)
        unified = [(point, root) for point, root, fstype, _ in mounts if fstype == "cgroup2"]
        if unified and "" in own:
            parent = _under(*unified[0], own[""])
            available = (
                (parent / "cgroup.controllers").read_text().split() if (parent / "cgroup.controllers").exists() else []
            )
            missing = [c for c in _V2_CONTROLLERS if c not in available]
            if missing:
                return f"the cgroup v2 group {parent} does not offer {', '.join(missing)}"
            try:
                # Fails with EBUSY while processes sit in `parent` itself (the v2 rule
                # that only leaves hold processes): then the host must delegate a subtree.
                _write(parent / "cgroup.subtree_control", " ".join(f"+{c}" for c in _V2_CONTROLLERS))
            except OSError as exc:
                return f"cannot enable {', '.join(_V2_CONTROLLERS)} below {parent} ({exc.strerror}); delegate a cgroup subtree to the service"
            result = cls._make(2, {"": parent / name})
            if isinstance(result, CgroupRoot):
                try:
                    _write(parent / name / "cgroup.subtree_control", " ".join(f"+{c}" for c in _V2_CONTROLLERS))
                except OSError as exc:
                    result.close()
                    return f"cannot enable controllers in {parent / name} ({exc.strerror})"
            return result
        return "no cgroup v1 memory, cpu and pids hierarchies and no usable cgroup v2 mount"

    @classmethod
    def _make(cls, version: int, parents: dict[str, Path]) -> CgroupRoot | str:
        made: list[Path] = []
        try:
            for path in parents.values():
                path.mkdir()
                made.append(path)
        except OSError as exc:
            for path in made:
                with contextlib.suppress(OSError):
                    path.rmdir()
            return f"cannot create cgroups ({exc.strerror}: {exc.filename}); run as root or delegate a cgroup subtree"
        return cls(version, parents)

    def session(self, pids_max: int) -> SessionCgroup:
        self._count += 1
        name = f"s{self._count}-{uuid.uuid4().hex[:6]}"
        if self.version == 2:
            path = self.parents[""] / name
            path.mkdir()
            group = SessionCgroup(2, {"memory": path, "cpu": path, "pids": path})
            _write(path / "pids.max", str(pids_max))
            return group
        dirs = {controller: parent / name for controller, parent in self.parents.items()}
        for path in dirs.values():
            path.mkdir()
        group = SessionCgroup(1, dirs)
        _write(dirs["pids"] / "pids.max", str(pids_max))
        return group

    def close(self) -> None:
        for path in self.parents.values():
            with contextlib.suppress(OSError):
                path.rmdir()
