"""reward_client against a real `reward-service serve` on 127.0.0.1."""

from __future__ import annotations

import asyncio
import multiprocessing
import pickle
import subprocess
import threading
import time
from contextlib import AbstractContextManager

import numpy as np
import pytest
from reward_client import AsyncRewardClient, RequestRejected, RetryPolicy, RewardClient, ServiceUnavailable

from devstack.subprocess_server import free_port, server_process, wait_until_ready
from tests.conftest import metric_total

REQUESTS = "reward_batch_items_count"  # one observation per scoring request


def sums(count: int, offset: int = 0) -> list[dict[str, object]]:
    """Math items whose answer is right for even i and wrong for odd i."""
    return [
        {
            "id": f"i{i}",
            "task": "math",
            "response": f"so \\boxed{{{i + offset + i % 2}}}",
            "ground_truth": str(i + offset),
        }
        for i in range(count)
    ]


def test_large_batch_is_split_into_concurrent_requests_and_kept_in_order(live_server: str) -> None:
    client = RewardClient(live_server, max_batch_items=1000, max_concurrency=3)
    before = metric_total(live_server, REQUESTS)
    results = client.score(sums(2500))
    assert metric_total(live_server, REQUESTS) - before == 3
    assert [r.id for r in results] == [f"i{i}" for i in range(2500)]
    assert [r.status for r in results[:4]] == ["correct", "wrong", "correct", "wrong"]
    assert all(r.score == (1.0 if i % 2 == 0 else 0.0) for i, r in enumerate(results))


def test_items_get_ids_and_numpy_fields_are_accepted(live_server: str) -> None:
    client = RewardClient(live_server)
    items = [
        {"task": "math", "response": np.str_("\\boxed{7}"), "ground_truth": np.int64(7)},
        {"task": "math", "response": "x = 0.5", "ground_truth": np.float32(0.5), "extra": np.arange(3)},
        {
            "task": "code",
            "response": "```python\nprint(int(input()) * 2)\n```",
            "tests": {"kind": "stdio", "cases": np.array([{"input": "2\n", "output": "4\n"}], dtype=object)},
        },
    ]
    results = client.score(items)
    assert [r.id for r in results] == ["0", "1", "2"]
    assert [r.status for r in results[:2]] == ["correct", "correct"]
    # Whatever the code verifier decides, the numpy array of cases was sent as a list the API accepted.
    assert results[2].status in {"accepted", "sandbox_error"}


def test_concurrent_single_item_calls_from_threads_share_requests(live_server: str) -> None:
    client = RewardClient(live_server, batch_window_s=0.05)
    callers = 24
    barrier = threading.Barrier(callers)
    results: dict[int, object] = {}

    def call(i: int) -> None:
        barrier.wait()
        results[i] = client.score_one({"task": "math", "response": str(i), "ground_truth": "7"})

    before = metric_total(live_server, REQUESTS)
    threads = [threading.Thread(target=call, args=(i,)) for i in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    requests = metric_total(live_server, REQUESTS) - before
    assert requests <= 3, f"{callers} single-item calls took {requests} requests"
    assert [results[i].status for i in range(callers)] == ["correct" if i == 7 else "wrong" for i in range(callers)]


def test_concurrent_single_item_coroutines_share_requests(live_server: str) -> None:
    client = AsyncRewardClient(live_server, batch_window_s=0.02)

    async def main() -> list[object]:
        async with client:
            return await asyncio.gather(
                *(client.score_one({"task": "math", "response": str(i), "ground_truth": "3"}) for i in range(40))
            )

    before = metric_total(live_server, REQUESTS)
    results = asyncio.run(main())
    assert metric_total(live_server, REQUESTS) - before == 1
    assert [r.score for r in results] == [1.0 if i == 3 else 0.0 for i in range(40)]


def test_one_client_serves_several_event_loops(live_server: str) -> None:
    """TRL runs reward functions on its own daemon loop, tests and scripts on asyncio.run: both work."""
    client = RewardClient(live_server)
    first = asyncio.run(client.ascore(sums(3)))
    second = asyncio.run(client.ascore(sums(3)))
    assert [r.status for r in first] == [r.status for r in second] == ["correct", "wrong", "correct"]


def test_a_malformed_request_raises_with_the_servers_reason(live_server: str) -> None:
    with pytest.raises(RequestRejected) as rejected:
        RewardClient(live_server).score([{"task": "chess", "response": "e4"}])
    assert rejected.value.status_code == 422
    assert "task" in str(rejected.value.detail)


def test_pickled_client_scores_in_a_spawned_process(live_server: str) -> None:
    client = RewardClient(live_server)
    client.score(sums(1))  # opens a session, which must not travel
    restored = pickle.loads(pickle.dumps(client))
    assert restored.config == client.config
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        statuses = pool.apply(_statuses, (restored, 2))
    assert statuses == ["correct", "wrong"]


def _statuses(client: RewardClient, count: int) -> list[str]:
    return [r.status for r in client.score(sums(count))]


def _single_status(client: RewardClient) -> str:
    return client.score_one({"task": "math", "response": "4", "ground_truth": "4"}).status


def test_client_keeps_working_in_forked_children_and_in_the_parent(live_server: str) -> None:
    client = RewardClient(live_server)
    assert _statuses(client, 2) == ["correct", "wrong"]  # the parent's session and batcher exist before the fork
    assert _single_status(client) == "correct"
    with multiprocessing.get_context("fork").Pool(2) as pool:
        assert pool.map(_single_status, [client] * 4) == ["correct"] * 4
        assert pool.apply(_statuses, (client, 3)) == ["correct", "wrong", "correct"]
    assert _statuses(client, 2) == ["correct", "wrong"]


def serve_on(port: int) -> AbstractContextManager[subprocess.Popen[bytes]]:
    return server_process(port, {"REWARD_LOG_LEVEL": "warning"}, ("--workers", "1"))


@pytest.mark.slow
def test_requests_are_retried_while_the_server_restarts() -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    client = RewardClient(url, retry=RetryPolicy(attempts=40, backoff_s=0.1, max_backoff_s=1.0))
    with serve_on(port) as process:
        wait_until_ready(url, process)
        assert _statuses(client, 2) == ["correct", "wrong"]
    # The server is gone; the next call is refused until the new one is up, and must get through.
    with serve_on(port):
        started = time.monotonic()
        assert _statuses(client, 2) == ["correct", "wrong"]
        assert time.monotonic() - started > 0.2  # it really waited for the restart
        assert metric_total(url, REQUESTS) == 1  # and scored once on the new server


def test_an_unreachable_service_raises_after_the_retries() -> None:
    client = RewardClient(f"http://127.0.0.1:{free_port()}", retry=RetryPolicy(attempts=3, backoff_s=0.01))
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable, match="after 3 tries"):
        client.score(sums(1))
    assert time.monotonic() - started < 5


def test_a_batch_past_the_servers_item_limit_is_split_not_refused() -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with server_process(
        port, {"REWARD_LOG_LEVEL": "warning", "REWARD_MAX_ITEMS": "300"}, ("--workers", "1")
    ) as process:
        wait_until_ready(url, process)
        client = RewardClient(url, max_batch_items=1000)
        results = client.score(sums(1000))
        assert [r.id for r in results] == [f"i{i}" for i in range(1000)]
        assert all(r.score == (1.0 if i % 2 == 0 else 0.0) for i, r in enumerate(results))
        # 1000 is refused, then two 500s, then four of 250 are scored.
        assert metric_total(url, REQUESTS) == 4
        again = asyncio.run(AsyncRewardClient(url, max_batch_items=1000).score(sums(700)))
        assert [r.status for r in again[:3]] == ["correct", "wrong", "correct"] and len(again) == 700
        # One item too large for the body limit cannot be split: the server's reason comes back.
    with server_process(
        port, {"REWARD_LOG_LEVEL": "warning", "REWARD_MAX_BODY_BYTES": "2048"}, ("--workers", "1")
    ) as process:
        wait_until_ready(url, process)
        with pytest.raises(RequestRejected) as rejected:
            RewardClient(url).score([{"task": "math", "response": "x" * 4096, "ground_truth": "1"}])
        assert rejected.value.status_code == 413


def test_dataset_shaped_tests_go_to_the_service_as_io_tests(live_server: str) -> None:
    # The client sends a dataset's {"inputs", "outputs"} as they are (numpy arrays too, as
    # Parquet rows hold them); the service's own rules make the tests.
    from reward_client.items import as_tests, code_item

    spec = {"inputs": np.array(["1 2\n", "3 4\n"]), "outputs": np.array(["3\n", "7\n"])}
    tests = as_tests(spec)
    assert tests is not None and tests["kind"] == "io"
    program = "```python\na, b = map(int, input().split())\nprint(a + b)\n```"
    (result,) = RewardClient(live_server).score([code_item(program, tests)])
    assert (result.status, result.score) == ("accepted", 1.0)
    # Specs that could make no tests are not sent as tests at all, as before.
    assert as_tests({"inputs": ["1"], "outputs": []}) is None
    assert as_tests({"inputs": [], "outputs": []}) is None
    assert as_tests('{"inputs": "12", "outputs": "3"}') is None


def test_sessions_through_both_clients(live_server: str) -> None:
    client = RewardClient(live_server)
    opened = client.open_session(limits={"time_s": 2}, files={"n.txt": "20"})
    session = opened["id"]
    assert client.run_cell(session, "x = int(open('n.txt').read())")["status"] == "ok"
    assert client.get_session(session)["cells"] == 1

    async def more() -> dict[str, object]:
        async with AsyncRewardClient(live_server) as async_client:
            return await async_client.run_cell(session, "x + 22")

    assert asyncio.run(more())["value"] == "42"
    with pytest.raises(RequestRejected) as unknown:
        client.run_cell("no-such-session", "1")
    assert unknown.value.status_code == 404
    assert client.close_session(session) is True
    assert client.close_session(session) is False
    assert client.get_session(session) is None
