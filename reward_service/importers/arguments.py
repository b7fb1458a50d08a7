"""The options of `reward-service problems import` (kept apart so the CLI parses them cheaply)."""

from __future__ import annotations

import argparse
from pathlib import Path

from reward_service.importers.formats import FORMATS


def add_import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", required=True, choices=sorted(FORMATS), help="the dataset's schema")
    parser.add_argument("file", type=Path, help="the dataset file as it ships: JSONL, or Parquet")
    parser.add_argument("--url", help="store in the service at this URL (default: this host's embedded store)")
    parser.add_argument("--map-out", type=Path, help="write a JSON line per source problem: its problem id")
    parser.add_argument(
        "--validate",
        action="store_true",
        help="run the dataset's correct solutions (and one wrong one) against each problem; list problems that "
        "reject their own correct solutions",
    )
    parser.add_argument(
        "--drop-invalid", action="store_true", help="with validation: remove the problems that failed it"
    )
    parser.add_argument(
        "--validate-solutions", type=int, default=2, metavar="N", help="correct solutions to run per problem (2)"
    )
    parser.add_argument(
        "--validate-languages",
        default="python,cpp",
        help="languages of the solutions to run, comma-separated (python,cpp)",
    )
