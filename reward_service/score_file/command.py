"""Turning the `score` subcommand's arguments into a run, and its exit status."""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from rich.console import Console

from reward_service.exceptions import MalformedLine, ScoringUnavailable
from reward_service.schemas.scoring import ScoreOptions
from reward_service.score_file.run import ScoreFileConfig, score_file
from reward_service.score_file.scorers import HttpScorer, InProcessScorer, Scorer
from reward_service.score_file.selection import R1Filters
from reward_service.settings import Settings


def _options(args: argparse.Namespace) -> ScoreOptions:
    raw: dict[str, Any] = {}
    if args.options:
        text = Path(args.options[1:]).read_text() if args.options.startswith("@") else args.options
        raw = json.loads(text)
    if args.language is not None or args.language_weight is not None:
        language = dict(raw.get("language") or {})
        if args.language is not None:
            language["target"] = args.language
        if args.language_weight is not None:
            language["weight"] = args.language_weight
        raw["language"] = language
    return ScoreOptions.model_validate(raw)


def config_from_args(args: argparse.Namespace) -> ScoreFileConfig:
    options = _options(args)
    if args.min_language_share is not None and options.language is None:
        raise ValueError("--min-language-share needs a target language: add --language CODE")
    if args.plot is not None and importlib.util.find_spec("matplotlib") is None:
        raise ValueError("--plot needs matplotlib: pip install 'reward-service[plot]'")  # known before hours of scoring
    return ScoreFileConfig(
        input=args.input,
        output=args.output,
        options=options,
        rejects=args.rejects,
        strict=args.strict,
        chunk_size=max(1, args.chunk_size),
        concurrency=max(1, args.concurrency),
        group_by=args.group_by,
        select=args.select,
        select_out=args.select_out,
        filters=R1Filters(args.min_language_share, args.no_code_in_reasoning, args.max_paragraph_chars),
        hard_out=args.hard_out,
        plot=args.plot,
        pass_k=args.pass_k,
        progress=not args.quiet,
    )


async def _run(config: ScoreFileConfig, scorer: Scorer, console: Console) -> int:
    try:
        await scorer.start()
        summary = await score_file(config, scorer, console)
    finally:
        await scorer.aclose()
    Console().print(summary.table(config.pass_k or summary.default_k()))
    return 0


def run_score_command(args: argparse.Namespace) -> int:
    errors = Console(stderr=True)
    if not args.input.is_file():
        errors.print(f"[red]reward-service score: no such input file: {args.input}")
        return 2
    try:
        config = config_from_args(args)
    except (ValueError, ValidationError, OSError) as exc:
        errors.print(f"[red]reward-service score: bad options: {exc}")
        return 2
    scorer: Scorer
    if args.url:
        scorer = HttpScorer(args.url, args.token)
    else:
        scorer = InProcessScorer(Settings(**({"workers": args.workers} if args.workers else {})))
    try:
        return asyncio.run(_run(config, scorer, errors))
    except MalformedLine as exc:
        errors.print(f"[red]reward-service score: stopped (--strict) at malformed {exc}")
        return 2
    except ScoringUnavailable as exc:
        errors.print(f"[red]reward-service score: {exc}. What was scored is saved; run again to resume.")
        return 1
    except KeyboardInterrupt:
        errors.print("[yellow]interrupted; what was scored is saved: run again to resume")
        return 130
