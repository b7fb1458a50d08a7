"""The scale-out path against a real redis-server and real `reward-service worker` processes.

One Redis and two workers (one verifier process each) are shared by the module;
the tests that kill a worker or restart Redis put the stack back as they found it.
The API runs in-process (TestClient) with the RQ dispatcher, like a replica would.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rq import Callback, Queue, Worker
from rq.job import Job as RQJob
from rq.job import JobStatus
from rq.registry import StartedJobRegistry

from devstack.local_stack import RedisServer, WorkerProcess, running_redis, wait_for_workers
from reward_service.app import create_app
from reward_service.dispatch.rq_jobs import deliver_chunk, queue_name, verify_chunk
from reward_service.verifiers.jobs import MathJob
from tests.conftest import HANG_ANSWER, HANG_GOLD, make_settings, math_item

# A dead worker is noticed after this many seconds without a heartbeat.
LEASE_S = 2
WORKER_ENV = {"REWARD_RQ_LEASE_S": str(LEASE_S), "REWARD_MATH_TIMEOUT_S": "2", "REWARD_MATH_KILL_GRACE_S": "0.5"}


# A C-level power no signal interrupts: it holds its chunk for the workers' whole hard timeout
# (2 s + 0.5 s grace), so a test can count on that chunk still being in flight.


def needs_worker(n: int, start: int = 0, prefix: str = "i") -> list[dict[str, Any]]:
    """Items no fast path settles: `\\frac{2k}{2}` against `k` needs SymPy in a worker; every third is wrong."""
    return [
        math_item(f"{prefix}{k}", f"so \\boxed{{\\frac{{{2 * k}}}{{2}}}}", str(k + 1 if k % 3 == 0 else k))
        for k in range(start, start + n)
    ]


def expected_status(item: dict[str, Any]) -> str:
    k = int(item["id"].lstrip("abcdefghijklmnopqrstuvwxyz"))
    return "wrong" if k % 3 == 0 else "correct"


class Stack:
    def __init__(self, redis: RedisServer) -> None:
        self.redis = redis
        self.workers: list[WorkerProcess] = []

    def ensure_workers(self, count: int) -> None:
        self.workers = [w for w in self.workers if w.process.poll() is None]
        while len(self.workers) < count:
            self.workers.append(WorkerProcess(self.redis.url, "math", processes=1, env=WORKER_ENV))
        wait_for_workers(self.redis.url, self.workers)

    def app(self, **overrides: Any) -> TestClient:
        settings = make_settings(redis_url=self.redis.url, rq_lease_s=LEASE_S, **overrides)
        return TestClient(create_app(settings))


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with running_redis() as redis:
        stack = Stack(redis)
        try:
            stack.ensure_workers(2)
            yield stack
        finally:
            for worker in stack.workers:
                worker.stop()


def chunks_done(stack: Stack, include: Sequence[WorkerProcess] = ()) -> dict[int, tuple[int, int]]:
    """(successful, failed) chunk counts of the stack's workers (and ``include``), by pid."""
    pids = {w.pid for w in [*stack.workers, *include]}
    return {
        w.pid: (w.successful_job_count, w.failed_job_count)
        for w in Worker.all(connection=stack.redis.client())
        if w.pid in pids
    }


def process_group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def post_score(client: TestClient, items: list[dict[str, Any]], **options: Any) -> list[dict[str, Any]]:
    response = client.post("/score", json={"items": items, "options": options})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["id"] for r in results] == [item["id"] for item in items]
    return results


def test_chunks_spread_over_workers_and_come_back_in_order(stack: Stack) -> None:
    items = needs_worker(60, prefix="o")
    # The same answers again, shuffled among fast-path items, duplicates and a bad ground truth.
    items += [math_item("fast", "the answer is 7", "7"), math_item("bad", "\\boxed{x}", "\\frac{")]
    items += [dict(item, id=f"dup{item['id']}") for item in items[:20:3]]
    before = {w.pid: w.successful_job_count for w in Worker.all(connection=stack.redis.client())}
    with stack.app(rq_chunk_size=4) as client:
        results = post_score(client, items)
    for item, result in zip(items, results, strict=False):
        if item["id"] == "fast":
            assert result["status"] == "correct" and result["details"].get("fast_path")
        elif item["id"] == "bad":
            assert result["status"] == "error" and result["score"] is None
        else:
            assert result["status"] == expected_status({"id": item["id"].removeprefix("dup")}), result
    assert all(r["cached"] for r in results if r["id"].startswith("dup"))
    after = {w.pid: w.successful_job_count for w in Worker.all(connection=stack.redis.client())}
    chunks_per_worker = [after[w.pid] - before.get(w.pid, 0) for w in stack.workers]
    assert sum(chunks_per_worker) >= 15, chunks_per_worker  # 61 distinct verifications, 4 per chunk
    assert all(n > 0 for n in chunks_per_worker), f"a worker took no chunk: {chunks_per_worker}"


def test_redis_cache_is_shared_across_api_replicas(stack: Stack) -> None:
    items = needs_worker(30, start=1000, prefix="c")
    with stack.app() as first_replica:
        first = post_score(first_replica, items)
    assert not any(r["cached"] for r in first)
    chunks_before = chunks_done(stack)
    with stack.app() as second_replica:
        second = post_score(second_replica, items)
    assert all(r["cached"] for r in second)
    assert [(r["status"], r["score"]) for r in second] == [(r["status"], r["score"]) for r in first]
    assert chunks_done(stack) == chunks_before, "the second replica sent work to the workers"


def test_jobs_report_progress_then_results(stack: Stack) -> None:
    # The hanging item in the last chunk keeps the batch running for seconds after the
    # others are done, so partial progress is visible however fast the workers are.
    items = needs_worker(120, start=2000, prefix="j") + [math_item("hang", HANG_ANSWER, HANG_GOLD)]
    with stack.app(rq_chunk_size=8) as client:
        submitted = client.post("/jobs", json={"items": items})
        assert submitted.status_code == 202, submitted.text
        job = submitted.json()
        assert job["status"] == "running" and job["total"] == len(items)
        assert submitted.headers["location"] == f"/jobs/{job['id']}"
        seen: list[int] = []
        deadline = time.monotonic() + 60
        while True:
            state = client.get(f"/jobs/{job['id']}").json()
            seen.append(state["done"])
            if state["status"] != "running" or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert state["status"] == "done", state
        assert seen == sorted(seen), "progress went backwards"
        assert any(0 < done < len(items) for done in seen), f"no partial progress seen: {seen}"
        assert [r["id"] for r in state["results"]] == [item["id"] for item in items]
        assert [r["status"] for r in state["results"][:-1]] == [expected_status(item) for item in items[:-1]]
        assert state["results"][-1]["status"] == "timeout" and state["results"][-1]["score"] is None
        assert client.get("/jobs/no-such-job").status_code == 404


def test_a_worker_killed_mid_chunk_loses_nothing(stack: Stack) -> None:
    items = needs_worker(400, start=3000, prefix="k")  # 4 chunks of 100
    redis = stack.redis.client()
    started_chunks = StartedJobRegistry(queue=Queue(queue_name("math"), connection=redis))
    before = chunks_done(stack)
    with stack.app(rq_chunk_size=100) as client, ThreadPoolExecutor(1) as pool:
        response: Future[Any] = pool.submit(client.post, "/score", json={"items": items})
        victim = None
        deadline = time.monotonic() + 30
        while victim is None and time.monotonic() < deadline:
            for job_id in started_chunks.get_job_ids(cleanup=False):
                busy = [w.pid for w in Worker.all(connection=redis) if w.get_current_job_id() == job_id]
                victim = next((w for w in stack.workers if w.pid in busy), None)
                if victim is not None:
                    break
            time.sleep(0.01)
        assert victim is not None, "no chunk was seen running"
        victim.kill()
        stack.workers.remove(victim)
        answer = response.result(timeout=60)
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [r["id"] for r in results] == [item["id"] for item in items]  # every item once, in order
    assert [r["status"] for r in results] == [expected_status(item) for item in items]
    # Every chunk ran to the end exactly once: the one the victim died in, on the survivor.
    # (The dead worker's counters stay readable in Redis until its registration expires.)
    after = chunks_done(stack, include=[victim])
    finished = sum(after[pid][0] - before[pid][0] for pid in after)
    assert finished == 4, (before, after)
    assert all(after[pid][1] == before[pid][1] for pid in after), "a chunk failed"
    # The killed worker's verifier processes do not outlive it for long.
    orphans_until = time.monotonic() + 10
    while process_group_alive(victim.pid) and time.monotonic() < orphans_until:
        time.sleep(0.1)
    orphans = process_group_alive(victim.pid)
    victim.stop()
    assert not orphans, "the killed worker's verifier processes are still running 10 s later"


def test_a_retried_chunk_that_lists_a_dead_execution_still_finishes(stack: Stack) -> None:
    """A chunk retried after its worker died still names the dead worker's execution,
    whose record expires first; RQ 3.0 would fail the finished retry on looking it up."""
    redis = stack.redis.client()
    queue = Queue(queue_name("math"), connection=redis)
    # Enqueued as the dispatcher does: no result kept (so RQ deletes the job, and looks
    # up its executions, on success), the verdicts pushed onto a reply list.
    job = queue.enqueue(
        verify_chunk,
        [MathJob(answer="5^{5^{5^{5}}}", ground_truth="1")],
        result_ttl=0,
        meta={"reply_to": "test:dead-execution", "chunk": 0, "reply_ttl_s": 60},
        on_success=Callback(deliver_chunk),
    )
    deadline = time.monotonic() + 10
    while job.get_status() != JobStatus.STARTED and time.monotonic() < deadline:
        time.sleep(0.02)
    # The hanging answer keeps the chunk running (about 2.5 s) while a dead execution is listed.
    redis.zadd(job.execution_registry.key, {"dead0execution": time.time() + 600})
    reply = redis.blpop(["test:dead-execution"], timeout=30)
    assert reply is not None, "the chunk's verdicts never arrived"
    assert [v["status"] for v in json.loads(reply[1])["verdicts"]] == ["timeout"]
    deadline = time.monotonic() + 10
    while RQJob.exists(job.id, connection=redis) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert job.id not in queue.failed_job_registry, RQJob.fetch(job.id, connection=redis).exc_info
    assert not RQJob.exists(job.id, connection=redis), "the finished chunk was not cleaned up"


def test_backpressure_answers_429_at_the_configured_depth_and_deadline_times_out() -> None:
    with running_redis() as redis:  # no worker at all: whatever is queued stays queued
        with TestClient(create_app(make_settings(redis_url=redis.url, max_queue_depth=10))) as client:
            with ThreadPoolExecutor(1) as pool:
                waiting = pool.submit(
                    client.post, "/score", json={"items": needs_worker(12, prefix="q"), "options": {"deadline_s": 3}}
                )
                dispatcher = client.app.state.scoring.dispatcher  # type: ignore[attr-defined]
                deadline = time.monotonic() + 10
                while dispatcher.pending < 12 and time.monotonic() < deadline:
                    time.sleep(0.02)
                refused = client.post("/score", json={"items": [math_item("x", "\\boxed{1}", "1")]})
                assert refused.status_code == 429, refused.text
                assert refused.headers["retry-after"] == "2"
                assert "REWARD_MAX_QUEUE_DEPTH" in refused.json()["detail"]
                assert client.post("/jobs", json={"items": [math_item("x", "\\boxed{1}", "1")]}).status_code == 429
                late = waiting.result(timeout=30)
            assert late.status_code == 200
            assert {(r["status"], r["score"]) for r in late.json()["results"]} == {("timeout", None)}
            # The deadline withdrew the chunks nobody will wait for, and the door is open again.
            assert Queue(queue_name("math"), connection=redis.client()).count == 0
            assert client.post("/score", json={"items": [math_item("x", "\\boxed{1}", "1")]}).status_code == 200


def test_a_redis_restart_fails_inflight_items_clearly_and_service_recovers(stack: Stack) -> None:
    # The hanging item keeps the first chunk in flight for seconds, whatever the machine's speed.
    items = [math_item("hang", HANG_ANSWER, HANG_GOLD)] + needs_worker(299, start=5000, prefix="r")
    with stack.app(rq_chunk_size=100) as client, ThreadPoolExecutor(1) as pool:
        response: Future[Any] = pool.submit(client.post, "/score", json={"items": items})
        started_chunks = StartedJobRegistry(queue=Queue(queue_name("math"), connection=stack.redis.client()))
        deadline = time.monotonic() + 30
        while not started_chunks.get_job_ids(cleanup=False) and time.monotonic() < deadline:
            time.sleep(0.01)
        stack.redis.restart(down_s=0.5)
        answer = response.result(timeout=60)
        assert answer.status_code == 200, answer.text
        results = answer.json()["results"]
        assert [r["id"] for r in results] == [item["id"] for item in items]
        failed = [r for r in results if r["status"] == "error"]
        assert failed, "no item was in flight when Redis went away"
        assert all(r["score"] is None and "Redis" in r["details"]["error"] for r in failed), failed[0]
        assert results[0]["status"] == "error", results[0]
        assert all(r["status"] in ("correct", "wrong", "error") for r in results)

        # Workers reconnect (and register again) by themselves; new requests are scored again.
        wait_for_workers(stack.redis.url, stack.workers, timeout_s=30)
        again = post_score(client, needs_worker(20, start=6000, prefix="a"), deadline_s=30)
        assert [r["status"] for r in again] == [expected_status(r) for r in again]
        assert client.get("/readyz").status_code == 200


def test_languages_come_from_the_code_workers_and_code_items_run_there() -> None:
    program = "Here it is:\n```python\na, b = map(int, input().split())\nprint(a + b)\n```"
    code = {
        "id": "add",
        "task": "code",
        "response": program,
        "tests": {"kind": "stdio", "cases": [{"input": "2 3", "output": "5"}]},
    }
    with running_redis() as redis:
        with TestClient(create_app(make_settings(redis_url=redis.url))) as client:
            nobody = client.get("/languages").json()
            assert nobody["available"] is False and "reward-service worker --queue code" in nobody["reason"], nobody
            worker = WorkerProcess(redis.url, "code", processes=1, env={"REWARD_SANDBOX_BACKEND": "bwrap"})
            try:
                wait_for_workers(redis.url, [worker])
                listed = client.get("/languages").json()
                assert listed["available"] and listed["backend"] == "bwrap", listed
                names = {language["name"]: language for language in listed["languages"]}
                assert {"python", "cpp"} <= set(names) and names["python"]["version"].startswith("Python 3")
                [result] = post_score(client, [code])
                assert (result["status"], result["score"]) == ("accepted", 1.0), result
                # /run_code travels the same code queue to the same workers.
                ran = client.post(
                    "/run_code", json={"code": "print(input()[::-1])", "stdin": "abc", "language": "python"}
                )
                assert ran.json()["status"] == "Success" and ran.json()["run_result"]["stdout"] == "cba\n", ran.text
            finally:
                worker.stop()
            # A worker that stopped takes its report with it.
            gone = client.get("/languages").json()
            assert gone["available"] is False and gone["backend"] is None, gone
