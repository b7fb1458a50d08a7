"""The production backend: locked-down containers from the sandbox image.

Each session is one container whose entrypoint is the driver (PID 1 of the
container's PID namespace), started with no network, a read-only root, size-
limited tmpfs mounts for /box and /tmp, memory and pids cgroup limits, every
capability dropped, no-new-privileges and a non-root user. The driver's stdin
and stdout are reached through the container's attach stream, so the service
needs the Docker API socket and nothing else (no docker CLI).

Containers carry an owner label (host, pid, and a token of this backend, since
one process may hold several pools); `reap` removes those left by a dead owner
on this host (a crashed worker), `close` removes this backend's own.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from typing import Any

from reward_sandbox.backends.base import SandboxBackend, SandboxUnavailable, harness_digest
from reward_sandbox.limits import Limits
from reward_sandbox.session import AttachedStreamSession, DriverSession

LABEL = "reward-service.sandbox"
HARNESS_LABEL = "reward-service.harness"
OWNER_LABEL = "reward-service.owner"
# The driver itself and the container's page cache need room beside the program.
_DRIVER_HEADROOM_MB = 64


def _owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _dead_owner_here(owner: str, host: str) -> bool:
    owner_host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    return owner_host == host and pid.isdigit() and not _pid_alive(int(pid))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class DockerBackend(SandboxBackend):
    name = "docker"

    def __init__(self, maxima: Limits, *, image: str, scratch_mb: int = 64, cpus: float = 1.0) -> None:
        super().__init__(maxima)
        self.image = image
        self.detail = f"image {image}"
        self.scratch_mb = scratch_mb
        self.cpus = cpus
        self.owner = _owner_id()
        self._client: Any = None

    def _docker(self) -> Any:
        if self._client is None:
            import docker

            self._client = docker.from_env(version="auto", timeout=60)
        return self._client

    async def check(self) -> None:
        def probe() -> None:
            try:
                import docker.errors
            except ImportError as exc:
                raise SandboxUnavailable(
                    "the docker backend needs the Docker SDK: pip install 'reward-service[docker]'"
                ) from exc

            try:
                client = self._docker()
                client.ping()
            except Exception as exc:
                raise SandboxUnavailable(
                    f"the Docker engine is not reachable ({exc}): start dockerd, or set REWARD_SANDBOX_BACKEND=bwrap"
                ) from exc
            try:
                image = client.images.get(self.image)
            except docker.errors.ImageNotFound as exc:
                raise SandboxUnavailable(
                    f"the sandbox image {self.image} is missing: build it with scripts/build_sandbox_image.sh"
                ) from exc
            built_from, ours = (image.labels or {}).get(HARNESS_LABEL), harness_digest()
            if built_from != ours:
                raise SandboxUnavailable(
                    f"the sandbox image {self.image} holds another version of the harness ({built_from}, "
                    f"this service has {ours}): rebuild it with scripts/build_sandbox_image.sh"
                )

        await asyncio.to_thread(probe)

    def _create(self) -> tuple[Any, Any]:
        from docker.types import LogConfig

        memory = f"{self.maxima.memory_mb + _DRIVER_HEADROOM_MB}m"
        tmpfs_options = f"size={self.scratch_mb}m,exec,uid=65534,gid=65534,mode=0700"
        container = self._docker().containers.create(
            self.image,
            stdin_open=True,
            network_mode="none",
            read_only=True,
            tmpfs={"/box": tmpfs_options, "/tmp": tmpfs_options},
            mem_limit=memory,
            memswap_limit=memory,
            pids_limit=self.maxima.processes + 8,
            nano_cpus=int(self.cpus * 1e9),
            user="65534:65534",
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            ipc_mode="none",
            # Kept after its driver exits until the session is closed: the host reads
            # whether the OOM killer ended it (see _driver_oom_killed).
            auto_remove=False,
            labels={LABEL: "1", OWNER_LABEL: self.owner},
            log_config=LogConfig(type="none"),
            environment={"SANDBOX_WORK_ROOT": "/box"},
        )
        try:
            stream = container.attach_socket(params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1})
            container.start()
        except Exception:
            container.remove(force=True)
            raise
        return container, stream

    async def open_session(self) -> DriverSession:
        container, stream = await asyncio.to_thread(self._create)
        raw = stream._sock  # the upgraded HTTP connection under docker-py's SocketIO wrapper
        raw.setblocking(False)
        reader, writer = await asyncio.open_unix_connection(sock=raw, limit=2**20)

        async def stop() -> None:
            await asyncio.to_thread(self._remove, container)

        async def oom_killed() -> bool:
            return await asyncio.to_thread(self._driver_oom_killed, container)

        return AttachedStreamSession(reader, writer, stop, oom_killed)

    @staticmethod
    def _driver_oom_killed(container: Any) -> bool:
        """Whether the kernel's OOM killer ended the container's driver (its PID 1)."""
        try:
            container.wait(timeout=5)
            container.reload()
        except Exception:  # still running, or the engine is away: not known to be an OOM kill
            return False
        state = container.attrs.get("State") or {}
        # Nothing inside the container can SIGKILL its PID 1, and the host removes containers
        # only between requests: exit 137 in a container the kernel marked OOM is the OOM killer.
        return bool(state.get("OOMKilled")) and state.get("ExitCode") == 137

    @staticmethod
    def _remove(container: Any) -> None:
        try:
            container.remove(force=True)
        except Exception:  # already gone (auto_remove) or the engine is away
            pass

    def _list(self) -> list[Any]:
        return list(self._docker().containers.list(all=True, filters={"label": LABEL}))

    async def reap(self) -> int:
        host = socket.gethostname()

        def reap_dead_owners() -> int:
            removed = 0
            for container in self._list():
                if _dead_owner_here(container.labels.get(OWNER_LABEL, ""), host):
                    self._remove(container)
                    removed += 1
            return removed

        try:
            return await asyncio.to_thread(reap_dead_owners)
        except Exception:
            return 0

    async def close(self) -> None:
        def remove_own() -> None:
            for container in self._docker().containers.list(all=True, filters={"label": f"{OWNER_LABEL}={self.owner}"}):
                self._remove(container)

        if self._client is not None:
            try:
                await asyncio.to_thread(remove_own)
            except Exception:
                pass
            self._client.close()
