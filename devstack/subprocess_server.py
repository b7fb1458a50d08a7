"""Run `reward-service serve` as a child process on a free loopback port.

For tests, benchmarks and examples that need the real server, not an in-process app.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server_process(
    port: int,
    env: Mapping[str, str] | None = None,
    extra_args: tuple[str, ...] = (),
    command: Sequence[str] = (sys.executable, "-m", "reward_service.cli"),
    cwd: Path | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """Start `reward-service serve` on ``port`` without waiting for it; stop it with SIGINT.
    ``command`` is how to run `reward-service` (another venv's script, say), ``cwd`` where."""
    process = subprocess.Popen(
        [*command, "serve", "--host", "127.0.0.1", "--port", str(port), *extra_args],
        env={**os.environ, **(env or {})},
        cwd=cwd,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_until_ready(url: str, process: subprocess.Popen[bytes], timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"reward-service exited with code {process.returncode} before it was ready")
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"reward-service was not ready within {timeout_s} s")
        time.sleep(0.2)


@contextmanager
def running_server(
    env: Mapping[str, str] | None = None,
    ready_timeout_s: float = 120,
    command: Sequence[str] = (sys.executable, "-m", "reward_service.cli"),
    cwd: Path | None = None,
) -> Iterator[str]:
    """Start the server on a free port, wait for /readyz, yield its base URL, stop it with SIGINT."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with server_process(port, env, command=command, cwd=cwd) as process:
        wait_until_ready(url, process, ready_timeout_s)
        yield url
