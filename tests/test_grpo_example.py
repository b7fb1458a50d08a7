"""examples/grpo_tiny.py trains for a few steps against a real server and gets its rewards from it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, metric_total

pytest.importorskip("torch")
pytest.importorskip("matplotlib")


@pytest.mark.slow
def test_a_short_run_trains_on_rewards_from_the_service(live_server: str, tmp_path: Path) -> None:
    steps, prompts, group = 3, 4, 4
    plot, log = tmp_path / "curve.png", tmp_path / "steps.jsonl"
    before = metric_total(live_server, "reward_items_scored_total")
    run = subprocess.run(
        [
            sys.executable,
            str(REPO / "examples" / "grpo_tiny.py"),
            "--url",
            live_server,
            "--cpu",
            "--quiet",
            "--steps",
            str(steps),
            "--prompts",
            str(prompts),
            "--group",
            str(group),
            "--stop-at",
            "0",
            "--plot",
            str(plot),
            "--log",
            str(log),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    summary = json.loads(run.stdout.strip().splitlines()[-1])
    assert summary["steps"] == steps and summary["items_scored"] == steps * prompts * group
    # Every reward was scored by the service: its item counter rose by exactly the rollouts sent.
    assert metric_total(live_server, "reward_items_scored_total") - before == steps * prompts * group
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [line["step"] for line in lines] == list(range(steps))
    assert all(0.0 <= line["reward"] <= 1.0 and line["kl"] >= 0.0 for line in lines)
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
