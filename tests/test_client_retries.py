"""Which answers the client retries, against a scripted server (real uvicorn on 127.0.0.1).

The reward service itself answers 429/503 only under load, so a small app scripts those
answers here; the restart case runs against the real service in test_client.py.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import uvicorn
from reward_client import RetryPolicy, RewardClient, ServiceFailed, ServiceUnavailable
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from devstack.subprocess_server import free_port


@dataclass
class Script:
    """Answers to give, in order; the last one repeats. Counts the requests that arrived."""

    answers: list[Response] = field(default_factory=list)
    arrived: int = 0
    delay_s: float = 0.0


def _results(count: int) -> JSONResponse:
    return JSONResponse({"results": [{"id": str(i), "score": 1.0, "status": "correct"} for i in range(count)]})


@pytest.fixture(scope="module")
def scripted() -> Iterator[tuple[str, Script]]:
    script = Script()

    async def score(request: Request) -> Response:
        await request.body()
        script.arrived += 1
        if script.delay_s:
            await asyncio.sleep(script.delay_s)
        return script.answers[min(script.arrived, len(script.answers)) - 1]

    app = Starlette(routes=[Route("/score", score, methods=["POST"])])
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", loop="asyncio"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", script
    server.should_exit = True
    thread.join(timeout=10)


def _reset(script: Script, *answers: Response, delay_s: float = 0.0) -> None:
    script.answers, script.arrived, script.delay_s = list(answers), 0, delay_s


ONE_ITEM = [{"task": "math", "response": "1", "ground_truth": "1"}]


def test_503_and_429_are_retried_after_retry_after(scripted: tuple[str, Script]) -> None:
    url, script = scripted
    _reset(
        script,
        Response(status_code=503, headers={"retry-after": "0.3"}),
        Response(status_code=429, headers={"retry-after": "0"}),
        _results(1),
    )
    started = time.monotonic()
    assert RewardClient(url).score(ONE_ITEM)[0].status == "correct"
    assert script.arrived == 3
    assert time.monotonic() - started >= 0.3


def test_a_server_error_is_not_retried(scripted: tuple[str, Script]) -> None:
    url, script = scripted
    _reset(script, JSONResponse({"detail": "boom"}, status_code=500), _results(1))
    with pytest.raises(ServiceFailed, match="boom"):
        RewardClient(url).score(ONE_ITEM)
    assert script.arrived == 1


def test_a_read_timeout_is_not_retried(scripted: tuple[str, Script]) -> None:
    """The server may still be scoring: a second copy of the batch would only add load."""
    url, script = scripted
    _reset(script, _results(1), delay_s=1.0)
    with pytest.raises(ServiceUnavailable, match="ReadTimeout"):
        RewardClient(url, timeout_s=0.2, retry=RetryPolicy(attempts=5, backoff_s=0.01)).score(ONE_ITEM)
    time.sleep(1.0)
    assert script.arrived == 1


def test_retries_stop_at_the_attempt_budget(scripted: tuple[str, Script]) -> None:
    url, script = scripted
    _reset(script, Response(status_code=503, headers={"retry-after": "0"}))
    response_client = RewardClient(url, retry=RetryPolicy(attempts=4, backoff_s=0.01))
    with pytest.raises(ServiceFailed) as failed:
        response_client.score(ONE_ITEM)
    assert failed.value.status_code == 503
    assert script.arrived == 4


def test_async_client_retries_the_same_way(scripted: tuple[str, Script]) -> None:
    url, script = scripted
    _reset(script, Response(status_code=503, headers={"retry-after": "0"}), _results(1))
    results = asyncio.run(RewardClient(url).ascore(ONE_ITEM))
    assert results[0].score == 1.0
    assert script.arrived == 2
