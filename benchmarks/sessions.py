"""Sessions against stateless replay: the same multi-turn tool use, two ways, in one run.

A trajectory of tool-integrated reasoning runs cells that build on each other: each
cell uses the variables of the ones before. `--sessions` trajectories of `--cells`
cells each run concurrently against a real `reward-service serve` (bwrap backend):

1. stateful: one session per trajectory (POST /sessions), each cell sent once;
2. stateless replay: what a stateless sandbox tool (veRL's SandboxFusion tool) does,
   POST /run_code with every earlier cell resent before the new one, each turn.

Each cell does a little real work (a sum over a range), as a model's cells do. It
prints cells/s and the p50 and p99 latency of a cell, both ways, the ratio, and the
memory of an idle session: the PSS of the server's process tree with the sessions
open and idle, less the tree's before they were opened, per session.

    python -m benchmarks.sessions [--sessions 64] [--cells 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from pathlib import Path

import httpx

from devstack.subprocess_server import running_server

WORK = 200_000  # each cell sums this many squares: a few milliseconds, as a model's cells take


def cell(index: int) -> str:
    """Cell `index` defines v{index} from v{index - 1}: no cell runs without the earlier ones."""
    previous = f"v{index - 1}" if index else "0"
    return f"v{index} = {previous} + sum(i * i for i in range({WORK})) % 1000 + {index}\nprint(v{index})"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def stateful(client: httpx.AsyncClient, cells: int, latencies: list[float]) -> None:
    opened = await client.post("/sessions", json={"limits": {"time_s": 10}})
    opened.raise_for_status()
    session = opened.json()["id"]
    try:
        for index in range(cells):
            started = time.perf_counter()
            answer = await client.post(f"/sessions/{session}/run", json={"code": cell(index)})
            latencies.append(time.perf_counter() - started)
            result = answer.json()
            assert result["status"] == "ok", result
    finally:
        await client.delete(f"/sessions/{session}")


async def replayed(client: httpx.AsyncClient, cells: int, latencies: list[float]) -> None:
    for index in range(cells):
        # Earlier cells' prints are the model's past observations: replayed, but not shown again.
        earlier = "\n".join(cell(i).replace("\nprint(", "\n(") for i in range(index))
        started = time.perf_counter()
        answer = await client.post(
            "/run_code", json={"code": f"{earlier}\n{cell(index)}", "language": "python", "run_timeout": 10}
        )
        latencies.append(time.perf_counter() - started)
        result = answer.json()
        assert result["status"] == "Success", result


async def timed(url: str, sessions: int, cells: int, way: str) -> tuple[float, list[float]]:
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=sessions)
    async with httpx.AsyncClient(base_url=url, timeout=600, limits=limits) as client:
        run = stateful if way == "stateful" else replayed
        started = time.perf_counter()
        await asyncio.gather(*(run(client, cells, latencies) for _ in range(sessions)))
        return time.perf_counter() - started, latencies


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def tree_pss_kb(pid: int) -> int:
    """PSS of a process and all its descendants (the server, its workers, its sandboxes)."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        pending += _children(current)
        try:
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


async def idle_session_mb(url: str, server_pid: int, count: int) -> float:
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        before = tree_pss_kb(server_pid)
        ids = []
        for _ in range(count):
            opened = await client.post("/sessions", json={})
            opened.raise_for_status()
            ids.append(opened.json()["id"])
            await client.post(f"/sessions/{ids[-1]}/run", json={"code": "x = 1"})  # a live interpreter
        await asyncio.sleep(1)
        after = tree_pss_kb(server_pid)
        for session in ids:
            await client.delete(f"/sessions/{session}")
    return (after - before) / count / 1024


def server_pid(port: int) -> int:
    """The pid of the server listening on ``port`` (found through /proc/net/tcp's inode)."""
    hex_port = f"{port:04X}"
    inodes = {
        line.split()[9]
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
        if line.split()[1].endswith(f":{hex_port}") and line.split()[3] == "0A"
    }
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                if os.readlink(fd).removeprefix("socket:[").removesuffix("]") in inodes:
                    return int(proc.name)
        except OSError:
            continue
    raise RuntimeError(f"no process listens on port {port}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=64)
    parser.add_argument("--cells", type=int, default=10)
    parser.add_argument("--idle", type=int, default=16, help="sessions opened to measure an idle one's memory")
    args = parser.parse_args()
    env = {
        "REWARD_SANDBOX_BACKEND": "bwrap",
        "REWARD_LOG_LEVEL": "warning",
        "REWARD_SESSION_MAX_OPEN": str(max(args.sessions, args.idle) + 8),
        "REWARD_SESSION_MAX_PER_TOKEN": str(max(args.sessions, args.idle) + 8),
        "REWARD_MAX_QUEUE_DEPTH": "100000",
        "REWARD_RUN_CODE_MAX_WAIT_S": "600",
    }
    total = args.sessions * args.cells
    with running_server(env) as url:
        pid = server_pid(int(url.rsplit(":", 1)[1]))
        print(f"{args.sessions} trajectories x {args.cells} cells = {total} cells, concurrently")
        rates = {}
        for way in ("stateful", "replay"):
            wall, latencies = asyncio.run(timed(url, args.sessions, args.cells, way))
            rates[way] = total / wall
            print(
                f"{way:9} {rates[way]:8.1f} cells/s   p50 {statistics.median(latencies) * 1000:7.0f} ms   "
                f"p99 {percentile(latencies, 0.99) * 1000:7.0f} ms"
            )
        print(f"stateful / replay: {rates['stateful'] / rates['replay']:.2f}x cells/s")
        idle = asyncio.run(idle_session_mb(url, pid, args.idle))
        print(f"an idle session: {idle:.1f} MB (PSS, over {args.idle} sessions)")


if __name__ == "__main__":
    main()
