"""The README's veRL recipe, as written, run through veRL 0.9.1's own configuration and reward loop.

The recipe's overrides and the table of reward managers are read from README.md. Each
combination is composed with veRL's own Hydra configuration and scored by veRL's
RewardLoopWorker in `.venv-verl` (tests/verl_reward_loop.py; scripts/test.sh makes that
virtualenv). The service must have done the scoring: its count of scored items grows by
the batch, and the scores are its verdicts (veRL's built-in scorer, which answers when
the overrides miss, would score differently: it knows no `\\boxed` for `openai/gsm8k`).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import metric_total

REPO = Path(__file__).resolve().parent.parent
VERL_PYTHON = REPO / os.environ.get("REWARD_VERL_VENV", ".venv-verl") / "bin" / "python"
SAMPLES = [
    # The data source of GSM8K, whose built-in veRL scorer reads only "#### n": a boxed answer
    # it scores 0, the service 1.
    {"data_source": "openai/gsm8k", "prompt": "six times seven", "response": "so \\boxed{42}", "ground_truth": "42"},
    {"data_source": "openai/gsm8k", "prompt": "five times eight", "response": "so \\boxed{41}", "ground_truth": "40"},
    {
        "data_source": "lighteval/MATH",
        "prompt": "half of one",
        "response": "it is \\boxed{\\frac{1}{2}}",
        "ground_truth": "0.5",
    },
]
EXPECTED = [1.0, 0.0, 1.0]


def _verl_section() -> str:
    text = (REPO / "README.md").read_text()
    start = text.index("## Use from veRL")
    return text[start : text.index("\n## ", start + 1)]


def readme_overrides() -> list[str]:
    """The Hydra overrides of the README's `python -m verl.trainer.main_ppo` command."""
    block = re.search(r"```bash\n(python -m verl\.trainer\.main_ppo.*?)```", _verl_section(), re.S)
    assert block is not None, "the README's veRL section has no main_ppo command"
    words = shlex.split(block.group(1).replace("\\\n", " "))
    return [word for word in words[3:] if word != "..."]


def readme_managers() -> list[tuple[str, str]]:
    """(reward manager, function name) for each row of the README's table."""
    rows = re.findall(r"^\| `([a-z_]+)`[^|]*\| `([a-z_]+)`", _verl_section(), re.M)
    assert rows, "the README's veRL section has no table of reward managers"
    return rows


def _with(overrides: list[str], key: str, value: str) -> list[str]:
    kept = [override for override in overrides if override.split("=", 1)[0].lstrip("+") != key]
    return [*kept, f"{key}={value}"]


def run_reward_loop(runs: list[list[str]], tmp_path: Path) -> list[dict[str, Any]]:
    if not VERL_PYTHON.exists():
        message = f"{VERL_PYTHON} is missing: scripts/test.sh makes it (veRL 0.9.1 with hydra-core)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"runs": runs, "samples": SAMPLES}))
    finished = subprocess.run(
        [str(VERL_PYTHON), str(REPO / "tests" / "verl_reward_loop.py"), str(spec)],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=tmp_path,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    assert finished.returncode == 0, finished.stderr[-4000:]
    reports: list[dict[str, Any]] = json.loads(finished.stdout.strip().splitlines()[-1])
    return reports


def _pointed_at(overrides: list[str], url: str) -> list[str]:
    # The README's URL is a placeholder host; the test's service is on loopback.
    return [override.replace("http://reward-host:8000", url) for override in overrides]


def test_the_readme_recipe_and_each_row_of_its_table_are_scored_by_the_service(
    live_server: str, tmp_path: Path
) -> None:
    recipe = _pointed_at(readme_overrides(), live_server)
    rows = readme_managers()
    runs = [recipe]
    for manager, function in rows:
        runs.append(
            _with(_with(recipe, "reward.reward_manager.name", manager), "reward.custom_reward_function.name", function)
        )
    before = metric_total(live_server, "reward_items_scored_total")
    reports = run_reward_loop(runs, tmp_path)
    for (manager, function), report in zip([("recipe", "as written"), *rows], reports, strict=True):
        assert report.get("scores") == EXPECTED, (manager, function, report)
        assert report["statuses"] == ["correct", "wrong", "correct"], (manager, function, report)
    # Every run scored its whole batch at the service, not with veRL's built-in scorer.
    assert metric_total(live_server, "reward_items_scored_total") - before == len(SAMPLES) * len(runs)
    assert {manager for manager, _ in rows} >= {"naive", "dapo"}
