"""POST /jobs, GET /jobs/{id}, deadlines and 429 in the embedded default (no Redis)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi.testclient import TestClient

from reward_service.app import create_app
from tests.conftest import HANG_ANSWER, HANG_GOLD, make_settings, math_item

# math-verify cannot interrupt this power: only the hard kill (or a deadline) ends it.


def poll(client: TestClient, job_id: str, timeout_s: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        state = client.get(f"/jobs/{job_id}").json()
        if state["status"] != "running" or time.monotonic() > deadline:
            return state
        time.sleep(0.05)


def test_jobs_run_in_process_and_return_results_in_order(client: TestClient) -> None:
    items = [math_item(f"j{k}", f"\\boxed{{\\frac{{{2 * k}}}{{2}}}}", str(k)) for k in range(20)]
    items.append(math_item("fast", "the answer is 3", "4"))
    submitted = client.post("/jobs", json={"items": items})
    assert submitted.status_code == 202, submitted.text
    job = submitted.json()
    assert (job["status"], job["done"], job["total"]) == ("running", 0, 21)
    state = poll(client, job["id"])
    assert state["status"] == "done" and state["done"] == state["total"] == 21
    assert [r["id"] for r in state["results"]] == [item["id"] for item in items]
    assert [r["status"] for r in state["results"]] == ["correct"] * 20 + ["wrong"]


def test_unknown_job_is_404_naming_the_ttl(client: TestClient) -> None:
    response = client.get("/jobs/nope")
    assert response.status_code == 404
    assert "REWARD_JOB_RESULT_TTL_S" in response.json()["detail"]


def test_job_results_expire_after_the_ttl() -> None:
    with TestClient(create_app(make_settings(job_result_ttl_s=1))) as client:
        job = client.post("/jobs", json={"items": [math_item("a", "\\boxed{2}", "2")]}).json()
        assert poll(client, job["id"])["status"] == "done"
        time.sleep(1.2)
        assert client.get(f"/jobs/{job['id']}").status_code == 404


def test_deadline_turns_unfinished_items_into_timeouts_and_keeps_the_rest() -> None:
    with TestClient(create_app(make_settings(math_timeout_s=30))) as client:
        items = [math_item("hang", HANG_ANSWER, HANG_GOLD), math_item("ok", "\\boxed{\\frac{4}{2}}", "2")]
        started = time.perf_counter()
        response = client.post("/score", json={"items": items, "options": {"deadline_s": 1}})
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.text
        hang, ok = response.json()["results"]
        assert (hang["status"], hang["score"]) == ("timeout", None)
        assert "deadline" in hang["details"]["error"]
        assert ok["status"] == "correct"
        assert elapsed < 5, elapsed  # not the 30 s budget
        # The stopped verification freed its worker: the pool still answers.
        again = client.post("/score", json={"items": [math_item("b", "\\boxed{\\frac{6}{2}}", "3")]})
        assert again.json()["results"][0]["status"] == "correct"


def test_queue_depth_past_the_limit_is_429_with_retry_after() -> None:
    with TestClient(create_app(make_settings(max_queue_depth=1, math_timeout_s=30))) as client:
        with ThreadPoolExecutor(1) as pool:
            busy = pool.submit(
                client.post,
                "/score",
                json={"items": [math_item("h", HANG_ANSWER, HANG_GOLD)], "options": {"deadline_s": 2}},
            )
            dispatcher = client.app.state.scoring.dispatcher  # type: ignore[attr-defined]
            deadline = time.monotonic() + 10
            while dispatcher.pending < 1 and time.monotonic() < deadline:
                time.sleep(0.02)
            for route in ("/score", "/jobs"):
                refused = client.post(route, json={"items": [math_item("x", "\\boxed{1}", "1")]})
                assert refused.status_code == 429, (route, refused.text)
                assert refused.headers["retry-after"] == "2"
            # /openrlhf is held until there is room (OpenRLHF's retries would not outlast a 429).
            held_from = time.monotonic()
            openrlhf = client.post("/openrlhf", json={"query": ["\\boxed{1}"], "prompts": [""], "labels": ["1"]})
            assert openrlhf.status_code == 200 and openrlhf.json()["rewards"] == [1.0], openrlhf.text
            assert time.monotonic() - held_from > 1.0  # the busy item's 2 s deadline, not at once
            assert busy.result(timeout=30).json()["results"][0]["status"] == "timeout"
        assert client.post("/score", json={"items": [math_item("x", "\\boxed{1}", "1")]}).status_code == 200
