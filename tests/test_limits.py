"""Limits through the real app: 413 for the request, 422 for malformed input, per-item errors before queueing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest import make_settings, math_item
from fastapi.testclient import TestClient

from reward_service.app import create_app


@pytest.fixture(scope="module")
def limited() -> Iterator[TestClient]:
    settings = make_settings(
        workers=1,
        max_body_bytes=64 * 1024,
        max_items=5,
        max_response_chars=500,
        max_test_cases=3,
        max_tests_chars=200,
        api_tokens="limits-token",
    )
    with TestClient(create_app(settings), headers={"Authorization": "Bearer limits-token"}) as client:
        yield client


def code_item(
    item_id: str, cases: list[dict[str, str]], response: str = "```python\nprint(input())\n```"
) -> dict[str, Any]:
    return {"id": item_id, "task": "code", "response": response, "tests": {"kind": "stdio", "cases": cases}}


def cache_lookups(client: TestClient) -> float:
    total = 0.0
    for line in client.get("/metrics").text.splitlines():
        if line.startswith("reward_cache_lookups_total{"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_body_over_the_limit_is_413_even_with_a_valid_token(limited: TestClient) -> None:
    response = limited.post("/score", json={"items": [math_item("x", "a" * 70_000, "1")]})
    assert response.status_code == 413
    assert "REWARD_MAX_BODY_BYTES" in response.json()["detail"]


SIX_ITEMS = {"items": [math_item(str(i), "\\boxed{1}", "1") for i in range(6)]}
SIX_QUERIES = {"query": ["\\boxed{1}"] * 6, "labels": ["1"] * 6}


@pytest.mark.parametrize(("route", "body"), [("/score", SIX_ITEMS), ("/jobs", SIX_ITEMS), ("/openrlhf", SIX_QUERIES)])
def test_too_many_items_is_413_on_every_scoring_route(limited: TestClient, route: str, body: dict[str, Any]) -> None:
    response = limited.post(route, json=body)
    assert response.status_code == 413
    assert "at most 5" in response.json()["detail"] and "REWARD_MAX_ITEMS" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"items": [{"id": "a", "task": "math", "response": "1"}]}, "ground_truth"),
        ({"items": [{"id": "a", "task": "chess", "response": "1"}]}, "task"),
        ({"items": []}, "items"),
        ({"items": [math_item("i" * 513, "1", "1")]}, "id"),
        ({"items": [code_item("c", [])]}, "cases"),
        ({"items": [{**code_item("c", [{"output": "1"}]), "limits": {"time_s": -1}}]}, "time_s"),
    ],
)
def test_malformed_input_is_422_naming_the_field(limited: TestClient, body: dict[str, Any], field: str) -> None:
    response = limited.post("/score", json=body)
    assert response.status_code == 422
    assert field in response.text


def test_not_json_is_422(limited: TestClient) -> None:
    response = limited.post("/score", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422


def test_oversized_items_get_their_own_error_before_any_work_is_queued(limited: TestClient) -> None:
    before = cache_lookups(limited)
    items = [
        math_item("long", "x" * 501 + "\\boxed{1}", "1"),
        code_item("many-cases", [{"input": "1", "output": "1"}] * 4),
        code_item("big-tests", [{"input": "1" * 150, "output": "1" * 60}]),
        math_item("fine", "\\boxed{4}", "4"),
    ]
    response = limited.post("/score", json={"items": items})
    assert response.status_code == 200
    results = {r["id"]: r for r in response.json()["results"]}
    assert results["long"]["status"] == "error" and results["long"]["score"] is None
    assert "REWARD_MAX_RESPONSE_CHARS" in results["long"]["details"]["error"]
    assert "REWARD_MAX_TEST_CASES" in results["many-cases"]["details"]["error"]
    assert "REWARD_MAX_TESTS_CHARS" in results["big-tests"]["details"]["error"]
    assert results["fine"]["status"] == "correct"
    # The rejected items never reached extraction, the cache or a worker.
    assert "extracted_answer" not in results["long"]["details"]
    assert cache_lookups(limited) == before


def test_items_at_the_limits_are_scored(limited: TestClient) -> None:
    response = limited.post("/score", json={"items": [math_item("edge", "x" * 490 + "\\boxed{1}", "1")]})
    assert response.status_code == 200
    assert response.json()["results"][0]["status"] == "correct"
