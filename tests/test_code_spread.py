"""A batch with fewer code items than sandbox sessions: each item's tests are spread over
the idle sessions, and the verdict is the one a single session would give."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from conftest import code_item, make_settings, score
from fastapi.testclient import TestClient

from reward_service.app import create_app

SLOW_ECHO = "import time\nn = int(input())\ntime.sleep(0.4)\nprint(n if n != 11 else -1)"


def cases(count: int) -> dict[str, object]:
    return {"kind": "stdio", "cases": [{"input": str(n), "output": str(n)} for n in range(count)]}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    settings = make_settings(sandbox_backend="bwrap", sandbox_pool_size=4, code_time_s=10.0)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_one_many_test_item_uses_the_idle_sessions(client: TestClient) -> None:
    score(client, [code_item("warm", "print(0)", cases(1))])  # sessions warm, not timed
    started = time.monotonic()
    [result] = score(client, [code_item("one", SLOW_ECHO, cases(16))])
    elapsed = time.monotonic() - started
    assert result["details"]["sessions"] == 4
    assert elapsed < 16 * 0.4 * 0.6, elapsed  # sequentially it is 6.4 s of sleeping
    # Exactly what one session would have said, in test order.
    assert (result["status"], result["details"]["passed"], result["details"]["total"]) == ("wrong_answer", 15, 16)
    statuses = [test["status"] for test in result["details"]["tests"]]
    assert statuses.index("wrong_answer") == 11 and result["score"] == pytest.approx(15 / 16)


def test_a_full_batch_is_not_spread(client: TestClient) -> None:
    items = [code_item(f"i{k}", SLOW_ECHO, cases(4)) for k in range(4)]
    results = score(client, items)
    assert all("sessions" not in result["details"] for result in results)


def test_all_or_nothing_holds_across_parts(client: TestClient) -> None:
    body = {"items": [code_item("aon", SLOW_ECHO, cases(16))], "options": {"all_or_nothing": True}}
    [result] = client.post("/score", json=body).json()["results"]
    assert (result["status"], result["score"]) == ("wrong_answer", 0.0), result
