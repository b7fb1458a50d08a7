"""`reward-service problems import --format FORMAT FILE`: convert, check and store, row by row.

Each row becomes a problem (formats.py), is checked as `PUT /problems` checks it, and is
stored under an id derived from the dataset's own (ids.py), locally or at `--url`
(destinations.py). A row that cannot become a problem is skipped with its row number and
the reason; the import goes on. At the end, a table: imported, unchanged, skipped, tests
per problem, judge kinds; `--map-out` has a JSON line per source problem.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from reward_service.exceptions import ProblemRefused, RowError, UnreadableFile
from reward_service.importers.converted import Converted
from reward_service.importers.destinations import Destination, LocalDestination, ServiceDestination
from reward_service.importers.formats import FORMATS
from reward_service.importers.ids import problem_id
from reward_service.importers.rows import BadRow, Row, read_rows
from reward_service.importers.validate import Validator
from reward_service.schemas.scoring import ProblemBody
from reward_service.score_file.scorers import HttpScorer, InProcessScorer, Scorer
from reward_service.settings import Settings

_SHOWN_SKIPS = 20


@dataclass
class Tally:
    imported: int = 0
    unchanged: int = 0
    valid: int = 0
    undecided: int = 0
    invalid: list[tuple[str, str]] = field(default_factory=list)
    dropped: int = 0
    weak: list[str] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    cases: list[int] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)


def _reason(exc: ValidationError) -> str:
    first = exc.errors()[0]
    return f"not a valid problem: {'.'.join(map(str, first['loc']))}: {first['msg']}"


async def _validate(
    problem: str, converted: Converted, destination: Destination, validator: Validator, drop: bool, tally: Tally
) -> dict[str, Any]:
    validation = await validator.validate(problem, converted.solutions)
    if validation.wrong_solution == "accepted":
        tally.weak.append(problem)
    if validation.valid is None:
        tally.undecided += 1
    elif validation.valid:
        tally.valid += 1
    else:
        tally.invalid.append((problem, validation.rejected[0]))
        if drop:
            await destination.delete(problem)
            tally.dropped += 1
            return {**validation.as_record(), "problem": None, "dropped": True}
    return validation.as_record()


async def _import_one(
    converted: Converted,
    format_name: str,
    destination: Destination,
    seen: set[str],
    tally: Tally,
    validator: Validator | None,
    drop: bool,
) -> dict[str, Any]:
    record: dict[str, Any] = {"format": format_name, "source_id": converted.source_id}
    body = ProblemBody.model_validate(converted.body)
    problem = problem_id(format_name, converted.source_id)
    if problem in seen:
        raise RowError(f"source id {converted.source_id!r} appears twice in the file; the first was kept")
    stored = await destination.store(problem, body)
    seen.add(problem)
    if stored.changed:
        tally.imported += 1
    else:
        tally.unchanged += 1
    tally.cases.append(stored.cases)
    tally.kinds[body.tests.kind] += 1
    record.update({"problem": problem, "hash": stored.hash, "tests": stored.cases, "valid": None})
    if validator is not None:
        record.update(await _validate(problem, converted, destination, validator, drop, tally))
    return record


async def _run(
    args: argparse.Namespace,
    rows: Iterator[Row | BadRow],
    destination: Destination,
    validator: Validator | None,
    console: Console,
    map_out: IO[str] | None,
) -> Tally:
    dataset = FORMATS[args.format]
    tally = Tally()
    seen: set[str] = set()
    with Progress(
        TextColumn("[bold]import[/] {task.description}"),
        BarColumn(),
        TextColumn("{task.completed} rows"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task(args.file.name, total=None)
        for entry in rows:
            progress.advance(task)
            if isinstance(entry, BadRow):
                tally.skipped.append((entry.number, entry.reason))
                continue
            number, row = entry
            source_id = None
            try:
                source_id = dataset.source_id(row)
                converted = dataset.convert(row)
                record = await _import_one(
                    converted, dataset.name, destination, seen, tally, validator, args.drop_invalid
                )
            except ValidationError as exc:
                tally.skipped.append((number, _reason(exc)))
                record = {"format": dataset.name, "source_id": source_id, "problem": None, "skipped": _reason(exc)}
            except (RowError, ProblemRefused) as exc:
                tally.skipped.append((number, str(exc)))
                record = {"format": dataset.name, "source_id": source_id, "problem": None, "skipped": str(exc)}
            if map_out is not None:
                map_out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return tally


def _summary(tally: Tally, where: str, validated: bool, console: Console) -> None:
    table = Table(title=f"imported into {where}")
    table.add_column("")
    table.add_column("", justify="right")
    table.add_row("imported", str(tally.imported))
    table.add_row("unchanged (already stored)", str(tally.unchanged))
    table.add_row("skipped", str(len(tally.skipped)))
    if tally.cases:
        ordered = sorted(tally.cases)
        table.add_row(
            "tests per problem (min / median / max)", f"{ordered[0]} / {ordered[len(ordered) // 2]} / {ordered[-1]}"
        )
    for kind, count in sorted(tally.kinds.items()):
        table.add_row(f"judged by {kind} tests", str(count))
    if validated:
        table.add_row("valid (their correct solutions pass)", str(tally.valid))
        table.add_row("invalid (a correct solution rejected)", str(len(tally.invalid)))
        table.add_row("dropped (invalid, removed)", str(tally.dropped))
        table.add_row("undecided (no solution to run, or ours failed)", str(tally.undecided))
        table.add_row("weak tests (a known-wrong solution passes)", str(len(tally.weak)))
    console.print(table)
    for problem, reason in tally.invalid[:_SHOWN_SKIPS]:
        console.print(f"invalid {problem}: {reason}", markup=False, highlight=False, soft_wrap=True)
    for number, reason in tally.skipped[:_SHOWN_SKIPS]:
        console.print(f"skipped row {number}: {reason}", markup=False, highlight=False, soft_wrap=True)
    if len(tally.skipped) > _SHOWN_SKIPS:
        console.print(f"... and {len(tally.skipped) - _SHOWN_SKIPS} more skipped rows (--map-out lists them all)")


def _scorer(args: argparse.Namespace, settings: Settings) -> Scorer:
    if args.url:
        return HttpScorer(args.url)  # its token: REWARD_SERVICE_TOKEN, as the destination's
    return InProcessScorer(settings)


async def _main(args: argparse.Namespace, rows: Iterator[Row | BadRow], console: Console) -> Tally:
    settings = Settings()
    destination: Destination = ServiceDestination(args.url) if args.url else LocalDestination(settings)
    validating = args.validate or args.drop_invalid
    scorer = _scorer(args, settings) if validating else None
    map_out = args.map_out.open("w", encoding="utf-8") if args.map_out else None
    try:
        validator = None
        if scorer is not None:
            await scorer.start()
            languages = [name.strip() for name in args.validate_languages.split(",") if name.strip()]
            validator = Validator(scorer, args.validate_solutions, languages)
        tally = await _run(args, rows, destination, validator, console, map_out)
    finally:
        if map_out is not None:
            map_out.close()
        if scorer is not None:
            await scorer.aclose()
        await destination.aclose()
    _summary(tally, destination.where, validating, console)
    return tally


def run_import_command(args: argparse.Namespace) -> int:
    """0 when any problem was stored or found unchanged, 1 when every row was skipped, 2 when
    the file cannot be read."""
    console = Console()
    try:
        rows = read_rows(args.file)  # an unreadable file is one line, before anything starts
    except UnreadableFile as exc:
        print(f"reward-service problems import: {exc}", file=sys.stderr)
        return 2
    tally = asyncio.run(_main(args, rows, console))
    return 0 if tally.imported or tally.unchanged else 1
