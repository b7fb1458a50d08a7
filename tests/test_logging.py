"""Structured logs: JSON lines carrying the request id, from the HTTP edge into worker code."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import math_item
from fastapi.testclient import TestClient

from devstack.subprocess_server import free_port
from reward_service.api.request_context import RequestContextMiddleware
from reward_service.logging_setup import RequestIdFilter, bound_request_id, current_request_id, json_formatter


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """Everything logged during the test, formatted as the service formats it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(previous_level)


def records(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_callers_request_id_is_echoed_and_logged(client: TestClient, json_lines: io.StringIO) -> None:
    response = client.post(
        "/score",
        json={"items": [math_item("a", "\\boxed{3}", "3")]},
        headers={"X-Request-ID": "trainer-step-17.rank-3"},
    )
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "trainer-step-17.rank-3"
    access = [r for r in records(json_lines) if r["logger"] == "reward_service.access"]
    assert access, json_lines.getvalue()
    line = access[-1]
    assert line["request_id"] == "trainer-step-17.rank-3"
    assert (line["method"], line["route"], line["status"]) == ("POST", "/score", 200)
    assert {"time", "level", "message", "duration_ms"} <= set(line)


@pytest.mark.parametrize("sent", [None, "", "x" * 129, 'a"b', "line\\nbreak", "spaced id"])
def test_a_missing_or_unsafe_request_id_is_replaced(client: TestClient, sent: str | None) -> None:
    headers = {} if sent is None else {"X-Request-ID": sent}
    response = client.get("/healthz", headers=headers)
    generated = response.headers["x-request-id"]
    assert generated != sent and len(generated) == 32 and int(generated, 16) >= 0


def test_each_request_gets_its_own_id(client: TestClient) -> None:
    ids = {client.get("/healthz").headers["x-request-id"] for _ in range(5)}
    assert len(ids) == 5


def test_the_request_id_is_set_during_the_request_and_reset_after() -> None:
    seen: list[str | None] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(current_request_id())
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def one_request() -> list[tuple[bytes, bytes]]:
        sent: list[dict[str, Any]] = []

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {"type": "http", "method": "GET", "path": "/x", "headers": [(b"x-request-id", b"leak-check")]}
        await RequestContextMiddleware(app)(scope, None, send)
        seen.append(current_request_id())
        return sent[0]["headers"]

    headers = asyncio.run(one_request())
    assert seen == ["leak-check", None]
    assert (b"x-request-id", b"leak-check") in headers


def test_worker_code_logs_under_the_request_id_it_was_given(json_lines: io.StringIO) -> None:
    """What an RQ worker does with job.meta["request_id"]."""
    worker_log = logging.getLogger("reward_service.worker")
    with bound_request_id("req-from-api"):
        assert current_request_id() == "req-from-api"
        worker_log.info("verifying chunk", extra={"jobs": 64})
    worker_log.info("idle")
    first, second = records(json_lines)[-2:]
    assert (first["request_id"], first["jobs"], first["message"]) == ("req-from-api", 64, "verifying chunk")
    assert second["request_id"] is None


def test_metrics_count_answers_by_route_template(client: TestClient) -> None:
    client.get("/healthz")
    client.get("/no/such/path/123")
    text = client.get("/metrics").text
    assert 'reward_http_responses_total{method="GET",route="/healthz",status="200"}' in text
    assert 'reward_http_responses_total{method="GET",route="unmatched",status="404"}' in text
    assert "/no/such/path" not in text
    for hook in ("reward_sandbox_pool_size", "reward_code_verdicts_total"):
        assert f"# TYPE {hook}" in text


@pytest.mark.slow
def test_the_real_server_writes_one_json_object_per_line(tmp_path: Path) -> None:
    port = free_port()
    log_path = tmp_path / "server.log"
    env = {**os.environ, "REWARD_WORKERS": "1", "REWARD_LOG_FORMAT": "json"}
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "reward_service.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, log_path.read_text()
                try:
                    if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "server not ready in 60 s"
                time.sleep(0.2)
            response = httpx.post(
                f"{url}/score", json={"items": [math_item("a", "\\boxed{2}", "2")]}, headers={"X-Request-ID": "e2e-1"}
            )
            assert response.headers["x-request-id"] == "e2e-1"
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)
    lines = [line for line in log_path.read_text().splitlines() if line.strip()]
    parsed = [json.loads(line) for line in lines]  # fails on any non-JSON line
    assert any(r["logger"].startswith("uvicorn") for r in parsed), lines
    score_lines = [r for r in parsed if r.get("route") == "/score"]
    assert [r["request_id"] for r in score_lines] == ["e2e-1"]
