"""Inputs that used to give a 500 (or a silent null) get a 4xx naming the field (issue 13, item 13)."""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest
from conftest import math_item, score
from fastapi.testclient import TestClient

CODE_ITEM: dict[str, Any] = {
    "id": "c",
    "task": "code",
    "response": "```python\ndef f(x):\n    return x\n```",
    "tests": {"kind": "call", "fn_name": "f", "cases": [{"args": [1], "expected": 1}]},
}


def _post(client: TestClient, path: str, raw: str) -> Any:
    return client.post(path, content=raw.encode("utf-8"), headers={"content-type": "application/json"})


def _loc(response: Any) -> list[Any]:
    assert response.status_code == 422, (response.status_code, response.text)
    return list(response.json()["detail"][0]["loc"])


@pytest.mark.parametrize("path", ["/score", "/jobs"])
@pytest.mark.parametrize(
    ("raw", "loc"),
    [
        (
            '{"items": [{"id": "a", "task": "math", "response": "\\ud800", "ground_truth": "2"}]}',
            ["items", 0, "response"],
        ),
        ('{"items": [{"id": "\\udfff", "task": "math", "response": "2", "ground_truth": "2"}]}', ["items", 0, "id"]),
        (
            '{"items": [{"id": "a", "task": "code", "response": "```python\\nx = \\"\\ud83d\\"\\n```",'
            ' "tests": {"kind": "stdio", "cases": [{"output": "1"}]}}]}',
            ["items", 0, "response"],
        ),
    ],
)
def test_lone_surrogates_are_named(client: TestClient, path: str, raw: str, loc: list[Any]) -> None:
    assert _loc(_post(client, path, raw)) == ["body", *loc]


def test_lone_surrogate_on_openrlhf(client: TestClient) -> None:
    assert _loc(_post(client, "/openrlhf", '{"query": ["\\ud800"], "labels": ["2"]}')) == ["body", "query", 0]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity", "1e999"])
@pytest.mark.parametrize(
    "template",
    [
        '{"items": [{"id": "c", "task": "code", "response": "x", "tests": {"kind": "stdio", "cases": [{"output": "1"}]},'
        ' "limits": {"time_s": %s}}]}',
        '{"items": [{"id": "m", "task": "math", "response": "2", "ground_truth": "2"}], "options": {"deadline_s": %s}}',
        '{"items": [{"id": "m", "task": "math", "response": "2", "ground_truth": "2"}], "options": {"accuracy_weight": %s}}',
        '{"items": [{"id": "m", "task": "math", "response": "2", "ground_truth": "2"}],'
        ' "options": {"format": {"weight": %s}}}',
    ],
)
def test_non_finite_numbers_are_refused(client: TestClient, template: str, constant: str) -> None:
    response = _post(client, "/score", template % constant)
    assert response.status_code == 422, response.text
    assert constant.lstrip("-") in response.text or "finite" in response.text


def test_deep_call_arguments_are_refused_by_path(client: TestClient) -> None:
    deep: Any = 1
    for _ in range(900):
        deep = [deep]
    item = {**CODE_ITEM, "tests": {"kind": "call", "fn_name": "f", "cases": [{"args": [deep], "expected": 1}]}}
    response = client.post("/score", json={"items": [item]})
    loc = _loc(response)
    assert loc[:7] == ["body", "items", 0, "tests", "cases", 0, "args"]
    assert "nested" in response.json()["detail"][0]["msg"]


def test_moderately_nested_arguments_still_run(client: TestClient) -> None:
    nested: Any = 1
    for _ in range(40):
        nested = [nested]
    item = {**CODE_ITEM, "tests": {"kind": "call", "fn_name": "f", "cases": [{"args": [nested], "expected": nested}]}}
    (result,) = score(client, [item])
    assert result["status"] == "accepted", result


@pytest.mark.parametrize("tolerance", [-0.1, 0.5, 1e300])
def test_unreasonable_float_tolerances_are_refused(client: TestClient, tolerance: float) -> None:
    item = {**CODE_ITEM, "tests": {"kind": "stdio", "cases": [{"output": "1"}], "float_tolerance": tolerance}}
    assert _loc(client.post("/score", json={"items": [item]}))[-1] == "float_tolerance"


@pytest.mark.parametrize("name", ["f()", "require('fs')", "a.b", "x; y", "", "1f", "f\u2028"])
@pytest.mark.parametrize("kind", ["call", "assert"])
def test_function_names_must_be_identifiers(client: TestClient, kind: str, name: str) -> None:
    if kind == "call":
        tests = {"kind": "call", "fn_name": name, "cases": [{"args": [1], "expected": 1}]}
        field = "fn_name"
    else:
        tests = {"kind": "assert", "code": "assert f(1) == 1", "entry_point": name}
        field = "entry_point"
    item = {**CODE_ITEM, "language": "javascript", "tests": tests}
    loc = _loc(client.post("/score", json={"items": [item]}))
    assert loc[-1] == field, loc


@pytest.mark.parametrize("name", ["solve", "_helper", "$main", "twoSum"])
def test_identifier_function_names_are_accepted(client: TestClient, name: str) -> None:
    item = {**CODE_ITEM, "tests": {"kind": "call", "fn_name": name, "cases": [{"args": [1], "expected": 1}]}}
    response = client.post("/score", json={"items": [item]})
    assert response.status_code == 200, response.text


def test_honest_batch_still_scores(client: TestClient) -> None:
    (result,) = score(client, [math_item("m", "\\boxed{2}", "2")], {"format": {"weight": 0.5}})
    assert result["status"] == "correct"


@pytest.fixture(scope="module")
def impatient_server() -> Any:
    from devstack.subprocess_server import running_server

    with running_server(
        {"REWARD_WORKERS": "1", "REWARD_REQUEST_READ_TIMEOUT_S": "1.5", "REWARD_LOG_LEVEL": "warning"}
    ) as url:
        yield url


def _closed_within(sock: socket.socket, seconds: float) -> bool:
    sock.settimeout(seconds)
    try:
        return sock.recv(1024) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True
    except TimeoutError:
        return False


@pytest.mark.parametrize(
    ("partial", "trickle"),
    [
        (b"", b""),  # connects, sends nothing
        (b"POST /score HTTP/1.1\r\nHost: x\r\n", b"X-Slow: 1\r\n"),  # headers never finish
        (
            b"POST /score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
            b" ",
        ),  # the body never finishes
    ],
    ids=["silent", "headers", "body"],
)
def test_slow_clients_are_disconnected(impatient_server: str, partial: bytes, trickle: bytes) -> None:
    port = int(impatient_server.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(partial)
        started = time.monotonic()
        # Trickling a little now and then does not extend the deadline.
        for _ in range(3):
            time.sleep(0.4)
            if trickle:
                sock.sendall(trickle)
        assert _closed_within(sock, 10), "the server kept a slow request's connection open"
        assert time.monotonic() - started < 8


def test_a_prompt_client_is_served(impatient_server: str) -> None:
    import httpx

    with httpx.Client(timeout=30) as http:
        for _ in range(2):  # keep-alive: the second request on the same connection works too
            response = http.post(f"{impatient_server}/score", json={"items": [math_item("m", "\\boxed{2}", "2")]})
            assert response.status_code == 200 and response.json()["results"][0]["status"] == "correct"
            time.sleep(0.5)
