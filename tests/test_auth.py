"""Bearer tokens and CORS through the real app: off by default, constant-time checks, probes stay open."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import make_settings, math_item
from fastapi.testclient import TestClient

from reward_service.api.auth import load_api_tokens, token_is_valid
from reward_service.app import create_app
from reward_service.exceptions import TokenConfigError

TOKENS = "tok-alpha-1234567890,tok-beta-0987654321"
BODY = {"items": [math_item("a", "\\boxed{12}", "12")]}


@pytest.fixture(scope="module")
def secured() -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(workers=1, api_tokens=TOKENS))) as client:
        yield client


def test_without_tokens_the_api_is_open(client: TestClient) -> None:
    assert client.post("/score", json=BODY).status_code == 200


def test_no_token_is_401_with_a_challenge(secured: TestClient) -> None:
    response = secured.post("/score", json=BODY)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in response.json()["detail"]
    assert response.headers["x-request-id"]  # even refusals can be traced


@pytest.mark.parametrize(
    "header",
    [
        "Bearer tok-alpha-123456789",  # a prefix of a real token
        "Bearer tok-alpha-12345678901",  # a real token plus one character
        "Bearer TOK-ALPHA-1234567890",
        "Basic dG9rLWFscGhhLTEyMzQ1Njc4OTA=",  # right secret, wrong scheme
        "Bearer ",
        "tok-alpha-1234567890",
        "Bearer tök-alpha-1234567890",  # non-ASCII must not crash the comparison
    ],
)
def test_wrong_token_is_401(secured: TestClient, header: str) -> None:
    response = secured.post("/score", json=BODY, headers={"Authorization": header.encode("utf-8")})
    assert response.status_code == 401, response.text


@pytest.mark.parametrize("token", TOKENS.split(","))
def test_each_configured_token_is_accepted(secured: TestClient, token: str) -> None:
    response = secured.post("/score", json=BODY, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    assert response.json()["results"][0]["status"] == "correct"
    lowercase_scheme = secured.post("/score", json=BODY, headers={"Authorization": f"bearer {token}"})
    assert lowercase_scheme.status_code == 200


def test_probes_metrics_and_docs_stay_open(secured: TestClient) -> None:
    assert secured.get("/healthz").status_code == 200
    assert secured.get("/readyz").status_code == 200
    assert secured.get("/metrics").status_code == 200
    assert secured.get("/openapi.json").status_code == 200
    # Anything else is closed, including paths no router knows yet.
    assert secured.get("/healthz/").status_code == 401
    assert secured.get("/not-a-route").status_code == 401


def test_auth_is_checked_before_the_body_is_read(secured: TestClient) -> None:
    huge = b"x" * (2 * 1024 * 1024)
    assert secured.post("/score", content=huge, headers={"content-type": "application/json"}).status_code == 401


def test_tokens_from_a_mounted_secret_file(tmp_path: Path) -> None:
    secret = tmp_path / "tokens"
    secret.write_text("from-file-token-1\n\n  from-file-token-2  \n")
    settings = make_settings(workers=1, api_tokens_file=secret)
    assert load_api_tokens(settings) == (b"from-file-token-1", b"from-file-token-2")
    with TestClient(create_app(settings)) as client:
        assert (
            client.post("/score", json=BODY, headers={"Authorization": "Bearer from-file-token-2"}).status_code == 200
        )
        assert (
            client.post("/score", json=BODY, headers={"Authorization": "Bearer from-file-token-3"}).status_code == 401
        )


def test_a_configured_but_missing_or_empty_token_file_refuses_to_start(tmp_path: Path) -> None:
    with pytest.raises(TokenConfigError, match="cannot be read"):
        create_app(make_settings(workers=1, api_tokens_file=tmp_path / "absent"))
    empty = tmp_path / "empty"
    empty.write_text("\n \n")
    with pytest.raises(TokenConfigError, match="holds no token"):
        create_app(make_settings(workers=1, api_tokens_file=empty))


def test_token_check_visits_every_token() -> None:
    tokens = (b"first-token", b"second-token", b"third-token")
    assert token_is_valid(b"third-token", tokens)
    assert token_is_valid(b"first-token", tokens)
    assert not token_is_valid(b"fourth-token", tokens)
    assert not token_is_valid(b"", tokens)


def test_cors_is_off_by_default(client: TestClient) -> None:
    preflight = client.options(
        "/score", headers={"Origin": "https://dash.example.com", "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in preflight.headers
    simple = client.get("/healthz", headers={"Origin": "https://dash.example.com"})
    assert "access-control-allow-origin" not in simple.headers


def test_cors_allows_only_the_configured_origins() -> None:
    settings = make_settings(workers=1, api_tokens=TOKENS, cors_allow_origins="https://dash.example.com")
    with TestClient(create_app(settings)) as client:
        # The preflight carries no credentials, so CORS must answer it before auth does.
        preflight = client.options(
            "/score",
            headers={
                "Origin": "https://dash.example.com",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://dash.example.com"
        denied = client.options(
            "/score", headers={"Origin": "https://evil.example.com", "Access-Control-Request-Method": "POST"}
        )
        assert denied.headers.get("access-control-allow-origin") != "https://evil.example.com"
        answer = client.post(
            "/score",
            json=BODY,
            headers={"Origin": "https://dash.example.com", "Authorization": f"Bearer {TOKENS.split(',')[0]}"},
        )
        assert answer.status_code == 200
        assert answer.headers["access-control-allow-origin"] == "https://dash.example.com"
        assert "x-request-id" in answer.headers["access-control-expose-headers"].lower()
