"""The client's veRL code-interpreter tool, driven by veRL 0.9.1's own multi-turn tool code
(tests/verl_tool_loop.py, in `.venv-verl`) against a real server: state persists within a
trajectory's calls and never crosses to another trajectory (issue 27)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
VERL_PYTHON = REPO / os.environ.get("REWARD_VERL_VENV", ".venv-verl") / "bin" / "python"


@pytest.fixture(scope="module")
def calls() -> dict[str, Any]:
    if not VERL_PYTHON.exists():
        message = f"{VERL_PYTHON} is missing: scripts/test.sh makes it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from devstack.subprocess_server import running_server

    with running_server({"REWARD_WORKERS": "1", "REWARD_LOG_LEVEL": "warning"}) as url:
        done = subprocess.run(
            [str(VERL_PYTHON), str(REPO / "tests" / "verl_tool_loop.py"), url],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=REPO,
        )
    assert done.returncode == 0, done.stderr[-4000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_state_persists_across_a_trajectorys_calls(calls: dict[str, Any]) -> None:
    assert calls["a1"]["text"] == "defined"
    assert calls["a2"]["text"] == "42"
    assert calls["a2"]["metrics"]["status"] == "ok"


def test_trajectories_do_not_share_state(calls: dict[str, Any]) -> None:
    assert calls["b1"]["text"] == "False"


def test_errors_and_limits_read_as_a_model_needs_them(calls: dict[str, Any]) -> None:
    assert "ZeroDivisionError" in calls["a3"]["text"] and "<cell" in calls["a3"]["text"]
    assert calls["a4"]["metrics"]["status"] == "timeout"
    assert "interpreter was restarted" in calls["a4"]["text"]
    assert calls["a5"]["text"] == "False"  # the restart lost x, as the model was told
    assert "Invalid JSON" in calls["bad_json"]["text"]
    assert "needs `code`" in calls["no_code"]["text"]


def test_calc_reward_scores_the_final_answer_through_score(calls: dict[str, Any]) -> None:
    assert (calls["reward_right"], calls["reward_wrong"]) == (1.0, 0.0)
    # veRL 0.9.1 releases the instance after each call: the trajectories' sessions stay for their TTL.
    assert calls["open_sessions"] == 2
