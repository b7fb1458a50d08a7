"""`reward-service score`: agreement with /score, resume after SIGKILL, selection, bad lines, --url."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from devstack.subprocess_server import running_server
from reward_service.cli import main
from reward_service.score_file.summary import pass_at_k
from tests.conftest import corpus_path, load_jsonl, score

CORRECT = {"correct", "accepted"}


def corpus_rollouts() -> list[dict[str, Any]]:
    """The 800 responses of the corpus as /score items with a prompt id and the prompt (extra fields kept)."""
    rows = load_jsonl(corpus_path("qwen_math_cot_100.jsonl"))
    return [
        {
            "id": f"{row['idx']}-{k}",
            "prompt_id": row["idx"],
            "prompt": row["question"],
            "task": "math",
            "response": response,
            "ground_truth": row["gt"],
        }
        for row in rows
        for k, response in enumerate(row["code"])
    ]


def write_jsonl(path: Path, rows: list[dict[str, Any]], extra_lines: dict[int, str] | None = None) -> Path:
    lines = [json.dumps(row, ensure_ascii=False) for row in rows]
    for index, line in sorted((extra_lines or {}).items()):
        lines.insert(index, line)
    path.write_text("\n".join(lines) + "\n")
    return path


def run_cli(*args: str | Path) -> int:
    try:
        main(["score", *map(str, args), "--quiet", "--workers", "2"])
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def stable(details: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in details.items() if not key.endswith("_ms")}


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("scored")
    paths = {
        "input": write_jsonl(folder / "rollouts.jsonl", corpus_rollouts()),
        "output": folder / "scored.jsonl",
        "hard": folder / "hard.jsonl",
        "plot": folder / "pass_rates.png",
    }
    code = run_cli(paths["input"], "-o", paths["output"], "--hard-out", paths["hard"], "--plot", paths["plot"])
    assert code == 0
    return paths


def test_cli_agrees_with_score_item_by_item(scored: dict[str, Path], client: TestClient) -> None:
    rollouts = load_jsonl(scored["input"])
    output = load_jsonl(scored["output"])
    assert [line["id"] for line in output] == [row["id"] for row in rollouts]
    # The input's own fields are kept, unchanged.
    assert all(
        line["prompt"] == row["prompt"] and line["prompt_id"] == row["prompt_id"]
        for line, row in zip(output, rollouts, strict=False)
    )
    api = score(client, rollouts)
    for line, result in zip(output, api, strict=False):
        assert (line["score"], line["status"]) == (result["score"], result["status"]), line["id"]
        assert stable(line["details"]) == stable(result["details"]), line["id"]


def test_summary_files_hard_prompts_and_plot(scored: dict[str, Path]) -> None:
    output = load_jsonl(scored["output"])
    correct_per_group = Counter(line["prompt_id"] for line in output if line["status"] in CORRECT)
    hard = load_jsonl(scored["hard"])
    assert sorted(h["prompt_id"] for h in hard) == sorted(
        {line["prompt_id"] for line in output} - set(correct_per_group)
    )
    assert all(h["samples"] == 8 and "response" not in h and "prompt" in h for h in hard)
    assert scored["plot"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_select_correct_and_best_counts(scored: dict[str, Path], tmp_path: Path) -> None:
    output = load_jsonl(scored["output"])
    correct = [line for line in output if line["status"] in CORRECT]
    # The output is complete: these runs only resume (nothing to score) and select.
    assert (
        run_cli(scored["input"], "-o", scored["output"], "--select", "correct", "--select-out", tmp_path / "c.jsonl")
        == 0
    )
    selected = load_jsonl(tmp_path / "c.jsonl")
    assert [s["id"] for s in selected] == [line["id"] for line in correct]
    assert all(set(s) == {"id", "prompt_id", "prompt", "task", "response", "ground_truth"} for s in selected)

    assert (
        run_cli(scored["input"], "-o", scored["output"], "--select", "best", "--select-out", tmp_path / "b.jsonl") == 0
    )
    best = load_jsonl(tmp_path / "b.jsonl")
    assert sorted(b["prompt_id"] for b in best) == sorted({line["prompt_id"] for line in correct})
    correct_ids = {line["id"] for line in correct}
    assert all(b["id"] in correct_ids for b in best)
    assert len(load_jsonl(scored["output"])) == len(output)  # nothing was scored twice


def test_r1_filters_drop_code_and_long_paragraphs(scored: dict[str, Path], tmp_path: Path) -> None:
    output = load_jsonl(scored["output"])
    clean = [
        line
        for line in output
        if line["status"] in CORRECT
        and "```" not in line["response"]
        and max(len(p.strip()) for p in line["response"].split("\n\n")) <= 600
    ]
    code = run_cli(
        scored["input"],
        "-o",
        scored["output"],
        "--select",
        "correct",
        "--select-out",
        tmp_path / "f.jsonl",
        "--no-code-in-reasoning",
        "--max-paragraph-chars",
        "600",
    )
    assert code == 0
    assert [s["id"] for s in load_jsonl(tmp_path / "f.jsonl")] == [line["id"] for line in clean]
    assert 0 < len(clean) < sum(line["status"] in CORRECT for line in output)


def test_min_language_share_needs_a_target_language(scored: dict[str, Path], tmp_path: Path) -> None:
    assert run_cli(scored["input"], "-o", tmp_path / "x.jsonl", "--min-language-share", "0.9") == 2


def test_malformed_lines_are_rejected_with_their_line_numbers(tmp_path: Path) -> None:
    rows = corpus_rollouts()[:6]
    bad = {2: "{not json", 4: json.dumps({"id": "no-response", "task": "math", "ground_truth": "1"})}
    source = write_jsonl(tmp_path / "in.jsonl", rows, bad)
    out = tmp_path / "out.jsonl"
    assert run_cli(source, "-o", out) == 0
    assert [line["id"] for line in load_jsonl(out)] == [row["id"] for row in rows]
    rejects = load_jsonl(tmp_path / "out.jsonl.rejects.jsonl")
    assert [r["line"] for r in rejects] == [3, 5]
    assert "not JSON" in rejects[0]["error"] and "response" in rejects[1]["error"]

    strict_out = tmp_path / "strict.jsonl"
    assert run_cli(source, "-o", strict_out, "--strict") == 2
    assert [line["id"] for line in load_jsonl(strict_out)] == [rows[0]["id"], rows[1]["id"]]


def test_sigkill_halfway_then_resume_scores_every_id_exactly_once(tmp_path: Path) -> None:
    rows = corpus_rollouts()
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    # Tiny chunks, one in flight: slow enough to be caught halfway.
    command = [
        sys.executable,
        "-m",
        "reward_service.cli",
        "score",
        str(source),
        "-o",
        str(out),
        "--quiet",
        "--workers",
        "1",
        "--chunk-size",
        "2",
        "--concurrency",
        "1",
    ]
    process = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not out.exists() or out.read_bytes().count(b"\n") < len(rows) // 4:
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else "exited"
        assert time.monotonic() < deadline, "no output within 120 s"
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    done_before = out.read_bytes().count(b"\n")
    assert 0 < done_before < len(rows), "the run must be killed halfway"
    # A kill inside a write would leave at most a torn last line: make sure there is one to drop.
    with out.open("ab") as handle:
        handle.write(b'{"id": "0-0", "prompt_id": 0, "resp')

    assert run_cli(source, "-o", out) == 0
    ids = [line["id"] for line in load_jsonl(out)]
    assert Counter(ids) == Counter(row["id"] for row in rows)
    assert len(ids) == len(rows)


def test_pass_at_k_is_the_unbiased_estimator() -> None:
    assert pass_at_k(8, 0, 1) == 0.0
    assert pass_at_k(8, 8, 8) == 1.0
    assert pass_at_k(8, 2, 1) == pytest.approx(0.25)
    assert pass_at_k(5, 2, 2) == pytest.approx(1 - 3 / 10)  # 1 - C(3,2)/C(5,2)
    assert pass_at_k(4, 1, 4) == 1.0


@pytest.mark.slow
def test_url_mode_posts_to_a_running_service(tmp_path: Path) -> None:
    rows = corpus_rollouts()[:40]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    local, remote = tmp_path / "local.jsonl", tmp_path / "remote.jsonl"
    assert run_cli(source, "-o", local, "--chunk-size", "16") == 0
    with running_server({"REWARD_WORKERS": "1", "REWARD_LOG_LEVEL": "warning"}) as url:
        assert run_cli(source, "-o", remote, "--url", url, "--chunk-size", "16") == 0
    for a, b in zip(load_jsonl(local), load_jsonl(remote), strict=True):
        assert (a["id"], a["score"], a["status"], stable(a["details"])) == (
            b["id"],
            b["score"],
            b["status"],
            stable(b["details"]),
        )
