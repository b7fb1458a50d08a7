"""A throwaway Redis server and `reward-service worker` processes on this machine.

For tests and benchmarks of the scale-out path: a real redis-server on a free
loopback port with persistence off (it can be restarted on the same port, empty,
as a crashed Redis would come back), and real worker processes in their own
process groups, so killing one kills its verifier pool too.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from redis import Redis
from redis.exceptions import RedisError

from devstack.subprocess_server import free_port


class RedisServer:
    def __init__(self, port: int, workdir: str) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self._workdir = workdir
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, ready_timeout_s: float = 10) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (scripts/provision.sh installs it)")
        self._process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self._workdir,
                "--protected-mode",
                "yes",
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + ready_timeout_s
        client = Redis.from_url(self.url, socket_connect_timeout=0.5)
        try:
            while True:
                try:
                    client.ping()
                    return
                except RedisError:
                    if self._process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"redis-server did not start on port {self.port}") from None
                    time.sleep(0.05)
        finally:
            client.close()

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()  # a crash, not a shutdown: nothing is saved (persistence is off anyway)
            self._process.wait()
        self._process = None

    def restart(self, down_s: float = 0.0) -> None:
        self.stop()
        time.sleep(down_s)
        self.start()

    def client(self) -> Redis:
        return Redis.from_url(self.url)


@contextmanager
def running_redis() -> Iterator[RedisServer]:
    with tempfile.TemporaryDirectory(prefix="reward-redis-") as workdir:
        server = RedisServer(free_port(), workdir)
        server.start()
        try:
            yield server
        finally:
            server.stop()


class WorkerProcess:
    """One `reward-service worker` process and its verifier pool, in its own process group."""

    def __init__(self, redis_url: str, queue: str = "math", processes: int = 1, env: Mapping[str, str] | None = None):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "reward_service.cli", "worker", "--queue", queue, "--processes", str(processes)],
            env={**os.environ, "REWARD_REDIS_URL": redis_url, "REWARD_LOG_LEVEL": "warning", **(env or {})},
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        """SIGKILL the worker process alone, as the OOM killer would; its pool must not outlive it for long."""
        self.process.kill()
        self.process.wait()

    def stop(self, timeout_s: float = 20) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                pass
        # Whatever is left of the group (a killed worker's pool) goes too.
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()


def wait_for_workers(redis_url: str, workers: Sequence[WorkerProcess], timeout_s: float = 60) -> None:
    """Until every one of ``workers`` is registered with RQ (a worker registers once it is warm)."""
    from rq import Worker

    client = Redis.from_url(redis_url)
    wanted = {worker.pid for worker in workers}
    deadline = time.monotonic() + timeout_s
    try:
        while not wanted <= {w.pid for w in Worker.all(connection=client)}:
            for worker in workers:
                if worker.process.poll() is not None:
                    raise RuntimeError(f"worker {worker.pid} exited with code {worker.process.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"workers {sorted(wanted)} did not register within {timeout_s} s")
            time.sleep(0.1)
    finally:
        client.close()
