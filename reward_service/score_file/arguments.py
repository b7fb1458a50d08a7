"""The `score` subcommand's arguments (argparse only: `reward-service --help` stays light)."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_score_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", type=Path, help="JSONL: one /score item per line, plus any other fields (kept)")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="JSONL out: each input line + score, status, details, cached. Run again with the same file to resume.",
    )
    where = parser.add_argument_group("where to score")
    where.add_argument("--url", help="a running service (POST /score); default: the embedded pipeline in this process")
    where.add_argument("--token", help="bearer token for --url")
    where.add_argument("--workers", type=int, help="in-process verifier workers (REWARD_WORKERS, default: CPUs)")
    where.add_argument("--chunk-size", type=int, default=1024, help="items per batch (default 1024)")
    where.add_argument("--concurrency", type=int, default=2, help="batches in flight (default 2)")
    reward = parser.add_argument_group("reward options")
    reward.add_argument("--options", help="the /score `options` as JSON, or @FILE holding it")
    reward.add_argument("--language", help="target language (ISO 639-1) of the reasoning: adds details.language_share")
    reward.add_argument("--language-weight", type=float, help="weight of the language term (default 0: report only)")
    select = parser.add_argument_group("rejection sampling")
    select.add_argument(
        "--select", choices=["correct", "best"], help="write every correct sample, or the best per group"
    )
    select.add_argument("--select-out", type=Path, help="where (default: OUTPUT's name with .correct/.best.jsonl)")
    select.add_argument(
        "--group-by", default="prompt_id", help="field that names a sample's prompt (default prompt_id)"
    )
    select.add_argument(
        "--min-language-share",
        type=float,
        help="R1 filter: drop reasoning below this share of target-language words (needs --language)",
    )
    select.add_argument("--no-code-in-reasoning", action="store_true", help="R1 filter: drop code blocks in reasoning")
    select.add_argument("--max-paragraph-chars", type=int, help="R1 filter: drop reasoning with a longer paragraph")
    report = parser.add_argument_group("report")
    report.add_argument("--hard-out", type=Path, help="JSONL of the groups with no correct sample (hard prompts)")
    report.add_argument("--plot", type=Path, help="PNG of the distribution of per-group pass rates")
    report.add_argument("--pass-k", type=int, help="k of pass@k (default: the most common group size)")
    report.add_argument("--rejects", type=Path, help="malformed lines (default: OUTPUT.rejects.jsonl)")
    report.add_argument("--strict", action="store_true", help="stop at the first malformed line instead")
    report.add_argument("--quiet", action="store_true", help="no progress bar")
