"""The HTTP contract: ordering, dedupe, caching, options, bad input, probes, metrics."""

from __future__ import annotations

import logging
import uuid

import pytest
from conftest import make_settings, math_item, score
from fastapi.testclient import TestClient

from reward_service.app import create_app


def test_results_come_back_in_order_one_per_item(client: TestClient) -> None:
    items = [math_item(f"id-{i}", f"\\boxed{{{i % 7}}}", str(i % 5)) for i in range(60)]
    results = score(client, items)
    for i, result in enumerate(results):
        assert result["status"] == ("correct" if i % 7 == i % 5 else "wrong")
        assert set(result) == {"id", "score", "status", "details", "cached"}


def test_identical_pairs_are_scored_once(client: TestClient) -> None:
    value = uuid.uuid4().int % 10_000 + 2  # unique per run: no earlier cache entry
    gold = f"\\frac{{{2 * value}}}{{2}}"
    response = f"Thus \\boxed{{{value}}}."
    items = [math_item(f"r{i}", response + " " * i, gold) for i in range(5)]
    first = score(client, items)
    assert [r["cached"] for r in first] == [False, True, True, True, True]
    assert {r["status"] for r in first} == {"correct"}
    # A later request reuses the verdict from the result cache.
    second = score(client, items[:2])
    assert [r["cached"] for r in second] == [True, True]
    assert second[0]["details"]["parsed_answer"] == first[0]["details"]["parsed_answer"]


def test_different_spellings_of_one_answer_share_a_verdict(client: TestClient) -> None:
    gold = str(uuid.uuid4().int % 10_000 + 20_000)
    items = [
        math_item("a", f"\\boxed{{\\frac{{{gold}}}{{1}}}}", gold),
        math_item("b", f"$\\boxed{{\\dfrac{{{gold}}}{{1}}}}$", gold),
    ]
    results = score(client, items)
    assert [r["status"] for r in results] == ["correct", "correct"]
    assert [r["cached"] for r in results] == [False, True]


def test_plain_numbers_take_the_fast_path(client: TestClient) -> None:
    results = score(client, [math_item("a", "\\boxed{1,000}", "1000"), math_item("b", "\\boxed{999}", "1000")])
    assert [r["status"] for r in results] == ["correct", "wrong"]
    assert all(r["details"].get("fast_path") for r in results)


def test_format_reward_is_off_by_default_and_added_on_request(client: TestClient) -> None:
    good = "<think>2+2 is 4</think> \\boxed{4}"
    bad = "\\boxed{4}"
    plain = score(client, [math_item("g", good, "4"), math_item("b", bad, "4")])
    assert [r["score"] for r in plain] == [1.0, 1.0]
    assert all("terms" not in r["details"] for r in plain)
    shaped = score(client, [math_item("g", good, "4"), math_item("b", bad, "4")], {"format": {"weight": 0.5}})
    assert [r["score"] for r in shaped] == [1.5, 1.0]
    assert shaped[0]["details"]["terms"] == {"accuracy": 1.0, "format": 0.5}
    tags = score(
        client,
        [math_item("t", "<think>r</think><answer>\\boxed{4}</answer>", "4")],
        {"format": {"weight": 1.0, "require_answer_tags": True}},
    )
    assert tags[0]["score"] == 2.0


def test_one_bad_ground_truth_does_not_fail_the_batch(client: TestClient) -> None:
    results = score(
        client,
        [
            math_item("ok", "\\boxed{2}", "2"),
            math_item("bad", "\\boxed{2}", "\\frac{1}{2"),
            math_item("ok2", "\\boxed{3}", "3"),
        ],
    )
    assert [r["status"] for r in results] == ["correct", "error", "correct"]
    assert results[1]["score"] is None
    assert "unbalanced braces" in results[1]["details"]["error"]


def test_math_and_code_items_in_one_batch(client: TestClient) -> None:
    item = {
        "id": "c",
        "task": "code",
        "response": "```python\nprint(1)\n```",
        "tests": {"kind": "stdio", "cases": [{"input": "", "output": "1"}]},
    }
    code, maths = score(client, [item, math_item("m", "\\boxed{1}", "1")])
    assert (code["status"], code["score"]) == ("accepted", 1.0)
    assert (maths["status"], maths["score"]) == ("correct", 1.0)


def test_dataset_io_tests_become_the_tests_they_stand_for(client: TestClient) -> None:
    # APPS/TACO's {"inputs", "outputs"[, "fn_name"]} as kind `io`: stdio tests, or call tests
    # whose outputs are wrapped in one-element lists, as the datasets store them.
    add_stdin = "```python\na, b = map(int, input().split())\nprint(a + b)\n```"
    add_call = "```python\ndef add(a, b):\n    return a + b\n```"
    items = [
        {
            "id": "s",
            "task": "code",
            "response": add_stdin,
            "tests": {"kind": "io", "inputs": ["1 2"], "outputs": ["3"]},
        },
        {
            "id": "c",
            "task": "code",
            "response": add_call,
            "tests": {"kind": "io", "fn_name": "add", "inputs": [[1, 2], [5, 7]], "outputs": [[3], [13]]},
        },
    ]
    stdin, call = score(client, items)
    assert (stdin["status"], stdin["score"]) == ("accepted", 1.0)
    assert (call["status"], call["score"]) == ("wrong_answer", 0.5)


@pytest.mark.parametrize(
    ("tests", "reason"),
    [
        ({"kind": "io", "inputs": ["1"], "outputs": []}, "1 inputs but 0 outputs"),
        ({"kind": "io", "inputs": [], "outputs": []}, "no test cases"),
        ({"kind": "io", "inputs": "1 2", "outputs": "3"}, "list"),
    ],
)
def test_io_tests_that_make_no_tests_are_422(client: TestClient, tests: dict[str, object], reason: str) -> None:
    item = {"id": "x", "task": "code", "response": "print(3)", "tests": tests}
    response = client.post("/score", json={"items": [item]})
    assert response.status_code == 422
    assert reason in response.text


def test_code_without_a_usable_sandbox_is_an_explicit_error_not_a_zero() -> None:
    settings = make_settings(sandbox_backend="docker", sandbox_image="reward-sandbox:does-not-exist")
    with TestClient(create_app(settings)) as broken:
        item = {
            "id": "c",
            "task": "code",
            "response": "```python\nprint(1)\n```",
            "tests": {"kind": "stdio", "cases": [{"input": "", "output": "1"}]},
        }
        code, maths = score(broken, [item, math_item("m", "\\boxed{1}", "1")])
        assert (code["status"], code["score"]) == ("sandbox_error", None)
        assert "does-not-exist" in code["details"]["error"]
        assert maths["status"] == "correct"
        languages = broken.get("/languages").json()
        assert languages["available"] is False and "does-not-exist" in languages["reason"]


def test_malformed_json_is_422(client: TestClient) -> None:
    response = client.post("/score", content=b'{"items": [', headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert "json" in response.text.lower()


def test_missing_field_is_422_naming_it(client: TestClient) -> None:
    response = client.post("/score", json={"items": [{"id": "x", "task": "math", "response": "\\boxed{1}"}]})
    assert response.status_code == 422
    locations = [error["loc"] for error in response.json()["detail"]]
    assert any("ground_truth" in loc for loc in locations)


def test_empty_batch_is_422(client: TestClient) -> None:
    response = client.post("/score", json={"items": []})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "items"]


def test_unknown_task_is_422(client: TestClient) -> None:
    response = client.post("/score", json={"items": [{"id": "x", "task": "poetry", "response": "r"}]})
    assert response.status_code == 422
    assert "poetry" in response.text


def test_unknown_option_is_422(client: TestClient) -> None:
    response = client.post("/score", json={"items": [math_item("x", "1", "1")], "options": {"fromat": {}}})
    assert response.status_code == 422
    assert "fromat" in response.text


def test_oversized_body_and_batch_are_413() -> None:
    with TestClient(create_app(make_settings(workers=1, max_body_bytes=4096, max_items=3))) as small:
        big = small.post("/score", json={"items": [math_item("x", "a" * 8000, "1")]})
        assert big.status_code == 413
        assert "REWARD_MAX_BODY_BYTES" in big.json()["detail"]
        many = small.post("/score", json={"items": [math_item(str(i), "\\boxed{1}", "1") for i in range(4)]})
        assert many.status_code == 413
        assert "at most 3" in many.json()["detail"]
        ok = small.post("/score", json={"items": [math_item("x", "\\boxed{1}", "1")]})
        assert ok.status_code == 200


def test_chunked_oversized_body_is_413() -> None:
    with TestClient(create_app(make_settings(workers=1, max_body_bytes=4096))) as small:

        def chunks():  # no Content-Length: the limit is enforced while reading
            for _ in range(10):
                yield b" " * 1000

        response = small.post("/score", content=chunks(), headers={"content-type": "application/json"})
        assert response.status_code == 413


def test_probes_docs_and_metrics(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    assert client.get("/docs").status_code == 200
    assert "/score" in client.get("/openapi.json").json()["paths"]
    score(client, [math_item("m", "\\boxed{7}", "7")])
    metrics = client.get("/metrics")
    assert metrics.status_code == 200
    text = metrics.text
    assert 'reward_items_scored_total{status="correct",task="math"}' in text
    for name in (
        "reward_request_duration_seconds_bucket",
        "reward_queue_depth",
        "reward_timeouts_total",
        "reward_workers 2.0",
    ):
        assert name in text


def test_a_sandbox_that_cannot_start_is_said_at_start_up_and_in_readyz(caplog: pytest.LogCaptureFixture) -> None:
    settings = make_settings(sandbox_backend="docker", sandbox_image="reward-sandbox:no-such-tag", sandbox_pool_size=1)
    with caplog.at_level(logging.ERROR, logger="reward_sandbox"), TestClient(create_app(settings)) as degraded:
        ready = degraded.get("/readyz")
        # Math is still scored, so the service is ready; code is not, and says why.
        assert ready.status_code == 200, ready.text
        body = ready.json()
        assert body["status"] == "degraded" and body["code"]["available"] is False, body
        assert body["code"]["reason"], body
        assert score(degraded, [math_item("m", "\\boxed{7}", "7")])[0]["status"] == "correct"
    logged = [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
    assert any("code items cannot run" in message and body["code"]["reason"] in message for message in logged), logged


def test_readyz_names_the_code_sandbox_when_it_runs(client: TestClient) -> None:
    body = client.get("/readyz").json()
    assert body["status"] == "ready" and body["code"]["available"] is True and body["code"]["backend"], body
