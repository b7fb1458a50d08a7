"""The real thing: `reward-service serve` as a process, spoken to over 127.0.0.1."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from devstack.subprocess_server import running_server
from tests.conftest import HANG_ANSWER, HANG_GOLD


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_server({"REWARD_WORKERS": "2", "REWARD_MATH_TIMEOUT_S": "2"}) as url:
        yield url


def test_scores_a_batch_over_http(server: str) -> None:
    items = [
        {"id": "a", "task": "math", "response": "so \\boxed{\\frac{1}{2}}", "ground_truth": "0.5"},
        {"id": "b", "task": "math", "response": HANG_ANSWER, "ground_truth": HANG_GOLD},
        {"id": "c", "task": "math", "response": "The answer is 41.", "ground_truth": "42"},
    ]
    response = httpx.post(f"{server}/score", json={"items": items}, timeout=30)
    assert response.status_code == 200
    assert [(r["id"], r["status"]) for r in response.json()["results"]] == [
        ("a", "correct"),
        ("b", "timeout"),
        ("c", "wrong"),
    ]


def test_event_loop_stays_responsive_during_a_slow_batch(server: str) -> None:
    """While a hanging item occupies a worker, probes still answer at once."""
    with httpx.Client(timeout=30) as http:
        slow = threading.Thread(
            target=http.post,
            args=(f"{server}/score",),
            kwargs={
                "json": {"items": [{"id": "h", "task": "math", "response": HANG_ANSWER, "ground_truth": HANG_GOLD}]}
            },
        )
        slow.start()
        time.sleep(0.3)
        started = time.monotonic()
        assert http.get(f"{server}/healthz").status_code == 200
        assert time.monotonic() - started < 0.5
        slow.join()
