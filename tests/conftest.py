from __future__ import annotations

import json
import os
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from reward_service.app import create_app
from reward_service.settings import Settings

REPO = Path(__file__).resolve().parent.parent
CORPORA = REPO.parent / "shared" / "corpora"

# Small budgets keep the timeout tests short; the mechanism is the same at any value.
TEST_MATH_TIMEOUT_S = 2.0
TEST_KILL_GRACE_S = 0.5


# An answer whose evaluation hangs in C (an integer power SIGALRM cannot stop), and a
# reference of the same shape (65536): against a plain reference such as "3" the API
# calls a power tower `wrong` at once (reward_service/verifiers/math/plausible.py), so the
# tests that need a worker to hang pair the two.
HANG_ANSWER = "\\boxed{5^{5^{5^{5}}}+1}"
HANG_GOLD = "2^{2^{2^{2}}}"


TESTLIB_SUBSET = Path(__file__).parent / "judges" / "testlib_subset.h"


def make_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        # Stored problems of a test never land in the home directory of the machine.
        "problems_dir": Path(tempfile.mkdtemp(prefix="reward-problems-")),
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


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """A real `reward-service serve` process on 127.0.0.1, shared by the client, adapter and example tests."""
    from devstack.subprocess_server import running_server

    with running_server({"REWARD_WORKERS": "1", "REWARD_MATH_TIMEOUT_S": "2", "REWARD_LOG_LEVEL": "warning"}) as url:
        yield url


def metric_total(url: str, name: str) -> float:
    """Sum of one Prometheus sample name over all its label sets, read from a live server's /metrics."""
    import httpx

    text = httpx.get(f"{url}/metrics", timeout=10).text
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.split("{")[0].split(" ")[0] == name)


def score(
    client: TestClient, items: list[dict[str, Any]], options: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
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


SANDBOX_BACKENDS = ["bwrap", "docker"]


def _docker_ready() -> str | None:
    """Why the docker backend cannot be tested here, or None when it can."""
    try:
        import docker

        client = docker.from_env(version="auto", timeout=10)
        client.ping()
        client.images.get(Settings().sandbox_image)
        client.close()
    except Exception as exc:
        return f"docker backend not testable ({type(exc).__name__}: {exc}); run scripts/provision.sh"
    return None


def require_backend(backend: str) -> None:
    """Skip a test of a sandbox backend this machine cannot run; under CI=1, fail it."""
    if backend == "docker":
        reason = _docker_ready()
        if reason is not None:
            if os.environ.get("CI"):
                pytest.fail(reason)
            pytest.skip(reason)


@pytest.fixture(scope="module", params=SANDBOX_BACKENDS)
def sandbox_client(request: pytest.FixtureRequest) -> Iterator[TestClient]:
    """An app whose code verifier runs on each real sandbox backend in turn."""
    backend = request.param
    require_backend(backend)
    # A generous default time limit: a loaded CI machine must not turn a slow start-up
    # (node, g++) into time_limit; tests of the time limit set their own.
    # The operator's testlib.h (REWARD_TESTLIB_HEADER): our small compatible header.
    settings = make_settings(
        sandbox_backend=backend, sandbox_pool_size=2, code_time_s=10.0, testlib_header=TESTLIB_SUBSET
    )
    with TestClient(create_app(settings)) as test_client:
        languages = test_client.get("/languages").json()
        assert languages["backend"] == backend and languages["available"], languages
        yield test_client


def code_item(
    item_id: str, program: str, tests: dict[str, Any], language: str = "python", **extra: Any
) -> dict[str, Any]:
    """A code item whose response is the program in a fenced block, as a model writes it."""
    response = f"Here is my solution.\n\n```{language}\n{program}\n```\n"
    return {"id": item_id, "task": "code", "response": response, "tests": tests, **extra}


def stdio(*cases: tuple[str, str]) -> dict[str, Any]:
    return {"kind": "stdio", "cases": [{"input": given, "output": expected} for given, expected in cases]}


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A TCP port on the host's loopback that no sandboxed program may reach."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server
    server.close()
