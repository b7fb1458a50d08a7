"""`/t/<token>/openrlhf` and `/t/<token>/run_code`: authentication for trainers that send no header,
with the token kept out of the access log and the metrics."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from reward_service.app import create_app
from tests.conftest import make_settings

TOKEN = "s3cret-token-path"
OPENRLHF_BODY = {"query": ["Q: \\boxed{4}"], "prompts": ["Q:"], "labels": ["4"]}


@pytest.fixture(scope="module")
def authed() -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(api_tokens=f"other-token,{TOKEN}", sandbox_pool_size=1))) as client:
        yield client


def test_the_token_in_the_path_authenticates(authed: TestClient) -> None:
    response = authed.post(f"/t/{TOKEN}/openrlhf", json=OPENRLHF_BODY)
    assert response.status_code == 200, response.text
    assert response.json()["rewards"] == [1.0]
    answer = authed.post(f"/t/{TOKEN}/run_code", json={"code": "print(1)", "language": "python"}).json()
    assert answer["status"] == "Success" and answer["run_result"]["stdout"] == "1\n"


@pytest.mark.parametrize(
    "path", ["/t/wrong-token/openrlhf", "/openrlhf", "/t//openrlhf", f"/t/{TOKEN}/score", f"/t/{TOKEN}/openrlhf/x"]
)
def test_without_a_valid_token_path_it_is_401_or_404(authed: TestClient, path: str) -> None:
    # Only /openrlhf and /run_code take a token path; /score keeps its Authorization header.
    assert authed.post(path, json=OPENRLHF_BODY).status_code in (401, 404)


def test_the_header_still_works(authed: TestClient) -> None:
    response = authed.post("/openrlhf", json=OPENRLHF_BODY, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200


def test_the_token_never_reaches_the_access_log_or_metrics(
    authed: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="reward_service.access"):
        authed.post(f"/t/{TOKEN}/openrlhf", json=OPENRLHF_BODY)
        authed.post(f"/t/{TOKEN}/score", json={"items": []})  # not a token route: refused, and redacted
        authed.post("/t/wrong-token/run_code", json={})
        authed.post(f"http://testserver//t/{TOKEN}/score", json={"items": []})  # a double slash is no way round
        authed.post(f"/x//t/{TOKEN}/openrlhf", json=OPENRLHF_BODY)
    access = [record for record in caplog.records if record.name == "reward_service.access"]
    assert len(access) == 5
    logged = " ".join(f"{record.getMessage()} {record.__dict__.get('path')}" for record in access)
    assert TOKEN not in logged and "wrong-token" not in logged
    assert access[0].__dict__["path"] == "/openrlhf" and access[0].__dict__["route"] == "/openrlhf"
    assert access[1].__dict__["path"] == "/t/<redacted>/score"
    metrics = authed.get("/metrics").text
    assert TOKEN not in metrics and "wrong-token" not in metrics
    assert 'route="/openrlhf",status="200"' in metrics


def test_without_tokens_configured_the_path_still_works(client: TestClient) -> None:
    # The same trainer config works before and after authentication is turned on.
    assert client.post("/t/anything/openrlhf", json=OPENRLHF_BODY).json()["rewards"] == [1.0]
