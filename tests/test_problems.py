"""Problems stored once and named by items: PUT/GET/DELETE /problems/{id} on disk (the
embedded default) and in Redis (scale-out, read by the code workers once per content hash)."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import code_item, make_settings, score
from fastapi.testclient import TestClient

from devstack.local_stack import WorkerProcess, running_redis, wait_for_workers
from reward_sandbox import LANGUAGES, Limits
from reward_service.app import create_app
from reward_service.dispatch.rq.enqueue import _on_the_queue
from reward_service.exceptions import ProblemFetchError
from reward_service.problems.fetch import WorkerProblems
from reward_service.verifiers.code.kinds import parse_tests
from reward_service.verifiers.jobs import CodeJob, ProblemCodeJob, ProblemRef

ADD = "a, b = map(int, input().split())\nprint(a + b)"
ADD_TESTS = {"kind": "stdio", "cases": [{"input": f"{a} {b}", "output": str(a + b)} for a, b in [(1, 2), (40, 2)]]}


def by_problem(item_id: str, program: str, problem: str, **extra: Any) -> dict[str, Any]:
    item = code_item(item_id, program, {"kind": "stdio", "cases": [{"output": ""}]}, **extra)
    del item["tests"]
    return {**item, "problem": problem}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("problems")
    settings = make_settings(problems_dir=folder, sandbox_pool_size=2, code_time_s=10.0, max_problem_cases=50)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_a_stored_problem_is_scored_by_reference(client: TestClient) -> None:
    stored = client.put("/problems/add-1", json={"tests": ADD_TESTS})
    assert stored.status_code == 200, stored.text
    body = stored.json()
    assert body["id"] == "add-1" and body["hash"].startswith("sha256:") and body["cases"] == 2
    again = client.put("/problems/add-1", json={"tests": ADD_TESTS}).json()
    assert again["hash"] == body["hash"]  # the same content, the same hash
    items = [
        by_problem("right", ADD, "add-1"),
        by_problem("wrong", "print(3)", "add-1"),
        by_problem("unknown", ADD, "no-such-problem"),
        code_item("inline", ADD, ADD_TESTS),
    ]
    right, wrong, unknown, inline = score(client, items)
    assert (right["status"], right["score"]) == ("accepted", 1.0), right
    assert right["details"]["problem"] == {"id": "add-1", "hash": body["hash"]}
    assert (wrong["status"], wrong["score"]) == ("wrong_answer", 0.5), wrong
    assert (unknown["status"], unknown["score"]) == ("error", None), unknown
    assert "PUT /problems/no-such-problem" in unknown["details"]["error"]
    assert (inline["status"], inline["score"]) == ("accepted", 1.0), inline


def test_get_and_delete(client: TestClient) -> None:
    client.put("/problems/tmp:1", json={"tests": ADD_TESTS, "language": "python", "limits": {"time_s": 3}})
    record = client.get("/problems/tmp:1")
    assert record.status_code == 200
    assert record.json()["problem"]["tests"]["cases"][0] == {"input": "1 2", "output": "3"}
    assert record.json()["problem"]["limits"] == {"time_s": 3}
    assert client.delete("/problems/tmp:1").status_code == 204
    assert client.get("/problems/tmp:1").status_code == 404
    assert client.delete("/problems/tmp:1").status_code == 404
    [gone] = score(client, [by_problem("x", ADD, "tmp:1")])
    assert gone["status"] == "error"


def test_storing_anew_changes_what_items_are_judged_by(client: TestClient) -> None:
    client.put("/problems/changes", json={"tests": ADD_TESTS})
    assert score(client, [by_problem("a", ADD, "changes")])[0]["status"] == "accepted"
    subtract = {"kind": "stdio", "cases": [{"input": "5 2", "output": "3"}]}
    client.put("/problems/changes", json={"tests": subtract})
    # The same item again: neither the plan memo nor the verdict cache may answer with the old tests.
    assert score(client, [by_problem("a", ADD, "changes")])[0]["status"] == "wrong_answer"


def test_a_problem_gives_items_its_language_and_limits(client: TestClient) -> None:
    client.put("/problems/slow", json={"tests": ADD_TESTS, "limits": {"time_s": 0.5}})
    spin = "while True: pass"
    [result] = score(client, [by_problem("spin", spin, "slow")])
    assert result["status"] == "time_limit" and "0.5 s" in result["details"]["tests"][0]["message"]


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        ("/problems/ok", {"tests": {"kind": "stdio", "cases": []}}, 422, "cases"),
        ("/problems/ok", {"tests": {"kind": "nope"}}, 422, "tests"),
        ("/problems/ok", {"tests": ADD_TESTS, "surprise": 1}, 422, "surprise"),
        ("/problems/bad%20id", {"tests": ADD_TESTS}, 422, "problem_id"),
        ("/problems/ok", {"tests": {"kind": "stdio", "cases": [{"output": "1"}] * 51}}, 413, None),
        # A problem whose judge can never run is refused at upload, not failed item by item later.
        (
            "/problems/ok",
            {"tests": {"kind": "checker", "cases": [{"input": ""}], "checker": {"language": "cobol", "source": "x"}}},
            422,
            "tests.checker.language",
        ),
        (
            "/problems/ok",
            {"tests": {"kind": "interactive", "cases": [{}], "interactor": {"language": "basic", "source": "x"}}},
            422,
            "tests.interactor.language",
        ),
    ],
)
def test_malformed_uploads_name_the_field(
    client: TestClient, path: str, body: dict[str, Any], status: int, field: str | None
) -> None:
    response = client.put(path, json=body)
    assert response.status_code == status, response.text
    if field is not None:
        assert field in str(response.json()["detail"])


def test_an_item_names_tests_or_a_problem_not_both(client: TestClient) -> None:
    item = {**code_item("both", ADD, ADD_TESTS), "problem": "add-1"}
    response = client.post("/score", json={"items": [item]})
    assert response.status_code == 422 and "either" in response.text


def test_problems_persist_on_disk_across_restarts(tmp_path: Path) -> None:
    settings = make_settings(problems_dir=tmp_path)
    with TestClient(create_app(settings)) as first:
        first.put("/problems/kept", json={"tests": ADD_TESTS})
    with TestClient(create_app(settings)) as second:
        assert second.get("/problems/kept").status_code == 200


def test_in_scale_out_problems_live_in_redis_and_workers_read_each_once() -> None:
    with running_redis() as redis:
        settings = make_settings(redis_url=redis.url)
        with TestClient(create_app(settings)) as one, TestClient(create_app(settings)) as two:
            stored = one.put("/problems/shared", json={"tests": ADD_TESTS}).json()
            assert two.get("/problems/shared").json()["hash"] == stored["hash"]
            worker = WorkerProcess(redis.url, "code", processes=1, env={"REWARD_SANDBOX_BACKEND": "bwrap"})
            try:
                wait_for_workers(redis.url, [worker])
                programs = [ADD, "print(3)", f"{ADD}\n# {1}", f"{ADD}\n# {2}"]
                results = score(two, [by_problem(f"r{i}", p, "shared") for i, p in enumerate(programs)])
                assert [r["status"] for r in results] == ["accepted", "wrong_answer", "accepted", "accepted"]
            finally:
                worker.stop()
            # What goes on the queue names the problem; its tests do not travel with every rollout.
            job = CodeJob(
                ADD, LANGUAGES["python"], parse_tests(ADD_TESTS), Limits(), problem=ProblemRef("shared", stored["hash"])
            )
            queued = _on_the_queue(job)
            assert isinstance(queued, ProblemCodeJob) and b"40 2" not in pickle.dumps(queued)
            # A worker reads a problem once per content hash, and notices a problem stored anew.
            problems = WorkerProblems(redis.url)
            try:
                assert problems.tests_for(queued.problem) == problems.tests_for(queued.problem)
                assert problems.fetches == 1
                one.put("/problems/shared", json={"tests": {"kind": "stdio", "cases": [{"output": "x"}]}})
                with pytest.raises(ProblemFetchError, match="stored anew"):
                    problems.tests_for(ProblemRef("shared", "sha256:old"))
            finally:
                problems.close()
