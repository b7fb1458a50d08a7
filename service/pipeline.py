"""score_batch: from validated items to results, in order, one per item.

Cheap work happens here, in the API process: answer extraction, exact fast
paths, dedupe of identical (answer, ground truth) pairs and the result cache.
Only what is left goes to the dispatcher's workers, once per distinct pair.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from service.context import ScoringContext
from service.schemas import CodeItem, ItemResult, MathItem, ScoreOptions
from service.settings import Settings
from service.verifiers.format import r1_format_ok
from service.verifiers.jobs import Job, MathJob
from service.verifiers.math.extract import extract_answer, reference_answer
from service.verifiers.math.normalize import normalize_answer, quick_verdict
from service.verifiers.verdict import Verdict

# Part of every cache key: bump it whenever a verdict for the same input could change.
VERIFIER_VERSION = "math-1"

AnyItem = MathItem | CodeItem


@dataclass
class _Plan:
    """How one item gets its verdict: decided already, or by the job under `key`."""

    verdict: Verdict | None = None
    key: Hashable | None = None
    job: Job | None = None
    details: dict[str, Any] = field(default_factory=dict)


def _plan_math(item: MathItem, options: ScoreOptions, settings: Settings) -> _Plan:
    if len(item.response) > settings.max_response_chars:
        return _Plan(
            Verdict("error", None, {"error": f"response is longer than {settings.max_response_chars} characters"})
        )
    fallback = settings.last_number_fallback if options.last_number_fallback is None else options.last_number_fallback
    extraction = extract_answer(item.response, item.mode or settings.math_default_mode, fallback)
    if extraction is None:
        return _Plan(Verdict("no_answer", 0.0, {"extracted_answer": None}))
    details = {"extracted_answer": extraction.answer, "extraction": extraction.method}
    reference = reference_answer(item.ground_truth)
    answer_key = normalize_answer(extraction.answer)
    quick = quick_verdict(answer_key, normalize_answer(reference))
    if quick is not None:
        return _Plan(Verdict("correct" if quick else "wrong", 1.0 if quick else 0.0, {"fast_path": True}), details=details)
    key = (VERIFIER_VERSION, "math", answer_key, reference.strip())
    return _Plan(key=key, job=MathJob(extraction.answer, reference), details=details)


def _plan(item: AnyItem, options: ScoreOptions, settings: Settings) -> _Plan:
    try:
        if isinstance(item, MathItem):
            return _plan_math(item, options, settings)
        return _Plan(Verdict("sandbox_error", None, {"error": "code verification is not enabled in this deployment"}))
    except Exception as exc:  # one item's failure never fails the batch
        return _Plan(Verdict("error", None, {"error": f"could not prepare item: {type(exc).__name__}: {exc}"}))


def _plan_batch(items: Sequence[AnyItem], options: ScoreOptions, settings: Settings) -> list[_Plan]:
    return [_plan(item, options, settings) for item in items]


def _shape(item: AnyItem, verdict: Verdict, options: ScoreOptions, details: dict[str, Any]) -> float | None:
    """The item's score: the verifiable reward, plus the optional R1 format term."""
    if verdict.reward is None:
        return None
    if options.format is None:
        return verdict.reward
    format_ok = r1_format_ok(item.response, options.format.require_answer_tags)
    format_term = options.format.weight if format_ok else 0.0
    details["terms"] = {"accuracy": verdict.reward, "format": format_term}
    return verdict.reward + format_term


async def score_batch(items: Sequence[AnyItem], options: ScoreOptions, ctx: ScoringContext) -> list[ItemResult]:
    # Extraction is pure Python over every response: keep it off the event loop.
    plans = await asyncio.to_thread(_plan_batch, items, options, ctx.settings)

    jobs: dict[Hashable, Job] = {}
    for plan in plans:
        if plan.key is not None and plan.key not in jobs and plan.job is not None:
            jobs[plan.key] = plan.job

    verdicts: dict[Hashable, Verdict] = {}
    from_cache: set[Hashable] = set()
    to_run: list[Hashable] = []
    for key in jobs:
        hit = ctx.cache.get(key)
        if hit is not None:
            verdicts[key] = hit
            from_cache.add(key)
        else:
            to_run.append(key)
    outcomes = await ctx.dispatcher.verify([jobs[key] for key in to_run])
    for key, verdict in zip(to_run, outcomes):
        verdicts[key] = verdict
        ctx.cache.put(key, verdict)

    results: list[ItemResult] = []
    seen: set[Hashable] = set()
    for item, plan in zip(items, plans):
        if plan.key is None:
            verdict, cached = plan.verdict, False
        else:
            verdict = verdicts[plan.key]
            cached = plan.key in from_cache or plan.key in seen
            seen.add(plan.key)
            ctx.metrics.cache_lookups.labels("cache" if plan.key in from_cache else "batch" if cached else "miss").inc()
        assert verdict is not None
        details = {**plan.details, **verdict.details}
        score = _shape(item, verdict, options, details)
        results.append(ItemResult(id=item.id, score=score, status=verdict.status, details=details, cached=cached))
        ctx.metrics.items_scored.labels(item.task, verdict.status).inc()
        if verdict.status in ("timeout", "time_limit"):
            ctx.metrics.timeouts.labels(item.task).inc()
    return results
