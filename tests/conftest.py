from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.settings import Settings

REPO = Path(__file__).resolve().parent.parent
CORPORA = REPO.parent / "shared" / "corpora"

# Small budgets keep the timeout tests short; the mechanism is the same at any value.
TEST_MATH_TIMEOUT_S = 2.0
TEST_KILL_GRACE_S = 0.5


def make_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "workers": 2,
        "math_timeout_s": TEST_MATH_TIMEOUT_S,
        "math_kill_grace_s": TEST_KILL_GRACE_S,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="session")
def client() -> Iterator[TestClient]:
    """One app with a warm worker pool, shared by the tests that do not depend on its state."""
    with TestClient(create_app(make_settings())) as test_client:
        yield test_client


def score(client: TestClient, items: list[dict[str, Any]], options: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    body: dict[str, Any] = {"items": items}
    if options is not None:
        body["options"] = options
    response = client.post("/score", json=body)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["id"] for r in results] == [item["id"] for item in items]
    return results


def math_item(item_id: str, response: str, ground_truth: str, **extra: Any) -> dict[str, Any]:
    return {"id": item_id, "task": "math", "response": response, "ground_truth": ground_truth, **extra}


def corpus_path(name: str) -> Path:
    path = CORPORA / name
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"corpus {path} is missing: CI must provide ../shared/corpora")
        pytest.skip(f"corpus {path} not present beside the checkout")
    return path


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open() as handle:
        return [json.loads(line) for line in handle if line.strip()]
