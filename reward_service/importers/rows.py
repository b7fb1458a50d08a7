"""The rows of a dataset file, one at a time, numbered: JSONL, or Parquet as the Hugging Face hub ships it.

The import streams: a Parquet file is read a record batch at a time, a JSONL file a
line at a time, so a file of any size costs the memory of one batch. A line that is not
JSON is a `BadRow` with its number and the reason, and the rows after it still come.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reward_service.exceptions import UnreadableFile


@dataclass(frozen=True)
class BadRow:
    number: int
    reason: str


Row = tuple[int, dict[str, Any]]


def _jsonl(path: Path) -> Iterator[Row | BadRow]:
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                yield BadRow(number, f"not JSON: {exc}")
                continue
            if not isinstance(row, dict):
                yield BadRow(number, f"a JSON {type(row).__name__}, not an object")
                continue
            yield number, row


def _parquet(path: Path) -> Iterator[Row | BadRow]:
    """Opens the file now (so an unreadable one is said before any row), reads it lazily."""
    try:
        import pyarrow.parquet as parquet
    except ImportError as exc:
        raise UnreadableFile("reading Parquet needs pyarrow: pip install 'reward-service[datasets]'") from exc
    try:
        source = parquet.ParquetFile(path)
    except Exception as exc:  # pyarrow raises its own error types for a file that is not Parquet
        raise UnreadableFile(f"{path} is not a Parquet file: {exc}") from exc
    return _batches(source)


def _batches(source: Any) -> Iterator[Row | BadRow]:
    number = 0
    for batch in source.iter_batches(batch_size=64):
        for row in batch.to_pylist():
            number += 1
            yield number, row


def read_rows(path: Path) -> Iterator[Row | BadRow]:
    """(row number, row) for each row of `path`, or a BadRow; raises UnreadableFile at once,
    before the first row, for a file that cannot be read at all."""
    if not path.is_file():
        raise UnreadableFile(f"{path}: no such file")
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic == b"PAR1":
        return _parquet(path)
    if path.suffix in (".parquet", ".pq"):
        raise UnreadableFile(f"{path} is named like Parquet but is not a Parquet file")
    return _jsonl(path)
