"""Every benchmark still runs: each at a tiny size, for its exit status only.

Benchmarks are not tests: their figures never gate CI. But a benchmark that crashes
(a renamed import, a changed signature) rots silently until someone needs its number,
so each one runs here at sizes that take seconds, and only a crash fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

SMOKE = {
    "cache_hit_rate": [],
    "cli_throughput": ["--items", "64", "--language-items", "8", "--workers", "1"],
    "code_throughput": ["--items", "4", "--concurrency", "2", "--language-items", "1"],
    "contest_workload": [
        "--problems",
        "2",
        "--rollouts",
        "2",
        "--tests",
        "3",
        "--input-kb",
        "1",
        "--baseline-rollouts",
        "2",
        "--sandboxes",
        "1",
    ],
    "import_throughput": ["--problems", "5", "--tests", "3", "--test-kb", "1"],
    "math_throughput": ["--items", "64"],
    "scale_out": ["--items", "64", "--embedded-workers", "1"],
    "sessions": ["--sessions", "2", "--cells", "2", "--idle", "1"],
    "trl_reward_share": [
        "--prompts",
        "2",
        "--generations",
        "2",
        "--steps",
        "1",
        "--hidden-size",
        "16",
        "--layers",
        "1",
        "--teach-steps",
        "5",
    ],
}


def test_every_benchmark_is_listed() -> None:
    modules = {path.stem for path in (REPO / "benchmarks").glob("*.py") if path.stem != "__init__"}
    assert modules == set(SMOKE), "give each benchmark a smoke size here"


@pytest.mark.parametrize("module", sorted(SMOKE))
def test_the_benchmark_runs_at_a_tiny_size(module: str) -> None:
    finished = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{module}", *SMOKE[module]],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "REWARD_LOG_LEVEL": "warning"},
    )
    assert finished.returncode == 0, (finished.stdout[-2000:], finished.stderr[-4000:])
