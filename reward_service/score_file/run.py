"""Score a JSONL file in chunks: read, score (a bounded number of chunks in flight), write in input order."""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError
from rich.console import Console

from reward_service.exceptions import MalformedLine
from reward_service.schemas.scoring import AnyItem, Item, ScoreOptions
from reward_service.score_file.jsonl import LineWriter, count_lines, drop_torn_tail, iter_json_lines, iter_records
from reward_service.score_file.plot import plot_pass_rates
from reward_service.score_file.progress import ScoreProgress
from reward_service.score_file.scorers import RESULT_FIELDS, Scorer
from reward_service.score_file.selection import R1Filters, Selection, group_key, is_correct, rank, sft_record
from reward_service.score_file.summary import RunSummary

_ITEM = TypeAdapter(Item)


@dataclass(frozen=True)
class ScoreFileConfig:
    input: Path
    output: Path
    options: ScoreOptions = field(default_factory=ScoreOptions)
    rejects: Path | None = None
    strict: bool = False
    chunk_size: int = 1024
    concurrency: int = 2
    group_by: str = "prompt_id"
    select: Selection | None = None
    select_out: Path | None = None
    filters: R1Filters = field(default_factory=R1Filters)
    hard_out: Path | None = None
    plot: Path | None = None
    pass_k: int | None = None
    progress: bool = True

    @property
    def rejects_path(self) -> Path:
        return self.rejects or self.output.with_name(self.output.name + ".rejects.jsonl")

    @property
    def select_path(self) -> Path:
        return self.select_out or self.output.with_name(self.output.stem + f".{self.select}.jsonl")


@dataclass
class _Chunk:
    rows: list[dict[str, Any]]
    task: asyncio.Task[list[dict[str, Any]]]


def _parse(raw: bytes) -> tuple[dict[str, Any], AnyItem]:
    try:
        row = json.loads(raw)
    except ValueError as exc:
        raise MalformedLine(f"not JSON: {exc}") from exc
    if not isinstance(row, dict):
        raise MalformedLine(f"not a JSON object but {type(row).__name__}")
    try:
        item: AnyItem = _ITEM.validate_python(row)
    except ValidationError as exc:
        reasons = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'line'}: {e['msg']}" for e in exc.errors()[:5])
        raise MalformedLine(f"not a /score item: {reasons}") from exc
    return row, item


class _Rejects:
    """Malformed lines of this run's input, written as they are found (the file is rewritten every run)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self._writer: LineWriter | None = None
        path.unlink(missing_ok=True)

    def add(self, line: int, reason: str, raw: bytes) -> None:
        if self._writer is None:
            self._writer = LineWriter(self.path, "wb")
        self._writer.write({"line": line, "error": reason, "text": raw.decode("utf-8", "replace")})
        self.count += 1

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()


class _Tally:
    """Every output record passes here once (resumed ones at start, new ones as written): the summary
    and the best record per group build up without reading the output again."""

    def __init__(self, config: ScoreFileConfig, summary: RunSummary) -> None:
        self._config = config
        self._summary = summary
        self.best: dict[str, tuple[tuple[float, int], str]] = {}

    def observe(self, record: dict[str, Any]) -> None:
        group = group_key(record, self._config.group_by)
        correct = is_correct(record)
        self._summary.add(group, str(record.get("status")), record.get("score"), correct)
        if self._config.select is None or not correct:
            return
        reason = self._config.filters.rejects(record)
        if reason is not None:
            self._summary.dropped_by_filter[reason] += 1
        elif self._config.select == "best":
            candidate = (rank(record), str(record["id"]))
            if group not in self.best or candidate[0] > self.best[group][0]:
                self.best[group] = candidate


async def score_file(config: ScoreFileConfig, scorer: Scorer, console: Console) -> RunSummary:
    """Score what the output lacks, then summarise the whole output (and select from it if asked)."""
    summary = RunSummary()
    tally = _Tally(config, summary)
    already: set[str] = set()
    drop_torn_tail(config.output)  # what a kill in mid-write left
    if config.output.exists():
        for record in iter_records(config.output):
            already.add(str(record["id"]))
            tally.observe(record)
    summary.resumed = len(already)
    started = time.perf_counter()
    rejects = _Rejects(config.rejects_path)
    total = max(0, count_lines(config.input) - len(already))
    try:
        with LineWriter(config.output) as writer, ScoreProgress(total, console, config.progress) as progress:
            summary.scored_this_run = await _score_lines(config, scorer, already, writer, tally, rejects, progress)
    finally:
        rejects.close()
        summary.seconds = time.perf_counter() - started
    if rejects.count:
        console.print(f"[yellow]{rejects.count} malformed line(s) skipped, listed in {rejects.path}")
    summary.rejected_lines = rejects.count
    if config.select is not None or config.hard_out is not None:
        _write_selection(config, summary, {record_id for _, record_id in tally.best.values()})
    if config.plot is not None:
        plot_pass_rates(summary.pass_rates(), config.plot, summary.default_k())
    return summary


async def _score_lines(
    config: ScoreFileConfig,
    scorer: Scorer,
    already: set[str],
    writer: LineWriter,
    tally: _Tally,
    rejects: _Rejects,
    progress: ScoreProgress,
) -> int:
    in_flight: deque[_Chunk] = deque()
    written = 0

    async def write_oldest() -> None:
        nonlocal written
        chunk = in_flight.popleft()
        results = await chunk.task
        correct = decided = 0
        for row, result in zip(chunk.rows, results, strict=True):
            if str(result["id"]) != str(row["id"]):
                raise RuntimeError(f"result for id {result['id']!r} came back in place of {row['id']!r}")
            record = {**row, **{name: result[name] for name in RESULT_FIELDS if name in result}}
            writer.write(record)
            tally.observe(record)
            correct += is_correct(result)
            decided += result.get("score") is not None
        written += len(chunk.rows)
        progress.advance(len(chunk.rows), correct, decided)

    def submit(rows: list[dict[str, Any]], items: list[AnyItem]) -> None:
        in_flight.append(_Chunk(rows, asyncio.ensure_future(scorer.score(items, config.options))))

    try:
        rows: list[dict[str, Any]] = []
        items: list[AnyItem] = []
        for number, raw in iter_json_lines(config.input):
            try:
                row, item = _parse(raw)
            except MalformedLine as exc:
                if config.strict:  # everything before the bad line is scored and written, nothing after it
                    if items:
                        submit(rows, items)
                    while in_flight:
                        await write_oldest()
                    raise MalformedLine(f"line {number}: {exc}") from exc
                rejects.add(number, str(exc), raw)
                progress.advance(1)
                continue
            if item.id in already:
                continue
            rows.append(row)
            items.append(item)
            if len(items) >= config.chunk_size:
                submit(rows, items)
                rows, items = [], []
                while len(in_flight) >= config.concurrency:
                    await write_oldest()
            if not in_flight:
                await asyncio.sleep(0)  # let a submitted chunk start before parsing on
        if items:
            submit(rows, items)
        while in_flight:
            await write_oldest()
    finally:
        for chunk in in_flight:
            chunk.task.cancel()
    return written


def _write_selection(config: ScoreFileConfig, summary: RunSummary, best_ids: set[str]) -> None:
    hard = set(summary.hard_groups()) if config.hard_out is not None else set()
    select = LineWriter(config.select_path, "wb") if config.select is not None else None
    hard_out = LineWriter(config.hard_out, "wb") if config.hard_out is not None else None
    selected = 0
    try:
        for record in iter_records(config.output):
            group = group_key(record, config.group_by)
            if select is not None and _selected(config, record, best_ids):
                select.write(sft_record(record))
                selected += 1
            if hard_out is not None and group in hard:
                hard.discard(group)  # one line per hard prompt: its first sample's fields, without the sample
                prompt = {k: v for k, v in sft_record(record).items() if k not in ("id", "response")}
                hard_out.write({**prompt, "samples": summary.groups[group].samples})
    finally:
        for writer in (select, hard_out):
            if writer is not None:
                writer.close()
    if select is not None:
        summary.selected = selected


def _selected(config: ScoreFileConfig, record: dict[str, Any], best_ids: set[str]) -> bool:
    if config.select == "best":
        return str(record["id"]) in best_ids
    return is_correct(record) and config.filters.rejects(record) is None
