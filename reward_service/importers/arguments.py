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
