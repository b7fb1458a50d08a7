"""score_batch: from validated items to results, in order, one per item.

Cheap work happens here, in the API process: answer extraction, exact fast
paths, dedupe of identical (answer, ground truth) pairs and the result cache.
Only what is left goes to the dispatcher's workers, once per distinct pair.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reward_sandbox import resolve_language
from reward_service.context import ScoringContext
from reward_service.dispatch.streaming import verify_within
from reward_service.item_limits import item_limits, response_size_error, tests_size_error
from reward_service.problems.model import ResolvedProblem
from reward_service.reward import composite_reward, reasoning_languages
from reward_service.schemas.scoring import AnyItem, CodeItem, CodeLimits, ItemResult, MathItem, ScoreOptions
from reward_service.settings import Settings
from reward_service.verifiers.code.extract import extract_program
from reward_service.verifiers.jobs import CodeJob, Job, MathJob, ProblemRef
from reward_service.verifiers.math.extract import extract_answer, reference_answer
from reward_service.verifiers.math.normalize import normalize_answer, quick_verdict
from reward_service.verifiers.math.plausible import implausible
from reward_service.verifiers.verdict import Verdict

log = logging.getLogger(__name__)

# Part of every cache key: bump it whenever a verdict for the same input could change.
VERIFIER_VERSION = "math-3"
CODE_VERIFIER_VERSION = "code-3"


@dataclass
class _Plan:
    """How one item gets its verdict: decided already, or by the job under `key`."""

    verdict: Verdict | None = None
    key: Hashable | None = None
    job: Job | None = None
    details: dict[str, Any] = field(default_factory=dict)
    # False for a plan cut short by the deadline: it says nothing about the item.
    reusable: bool = True


def _plan_math(item: MathItem, options: ScoreOptions, settings: Settings) -> _Plan:
    fallback = settings.last_number_fallback if options.last_number_fallback is None else options.last_number_fallback
    extraction = extract_answer(item.response, item.mode or settings.math_default_mode, fallback)
    if extraction is None:
        return _Plan(Verdict("no_answer", 0.0, {"extracted_answer": None}))
    details = {"extracted_answer": extraction.answer, "extraction": extraction.method}
    reference = reference_answer(item.ground_truth)
    answer_key = normalize_answer(extraction.answer)
    quick = quick_verdict(answer_key, normalize_answer(reference))
    if quick is not None:
        return _Plan(
            Verdict("correct" if quick else "wrong", 1.0 if quick else 0.0, {"fast_path": True}), details=details
        )
    cannot_be = implausible(extraction.answer, reference)
    if cannot_be is not None:
        return _Plan(Verdict("wrong", 0.0, {"error": cannot_be}), details=details)
    decimals = options.approximation_decimals
    key = (VERIFIER_VERSION, "math", answer_key, reference.strip(), decimals)
    return _Plan(key=key, job=MathJob(extraction.answer, reference, decimals=decimals), details=details)


def _plan_code(
    item: CodeItem, options: ScoreOptions, settings: Settings, problems: Mapping[str, ResolvedProblem]
) -> _Plan:
    problem = None
    if item.problem is not None:
        problem = problems.get(item.problem)
        if problem is None:
            message = f"no stored problem {item.problem!r}: PUT /problems/{item.problem} first"
            return _Plan(Verdict("error", None, {"error": message}), reusable=False)
        tests = problem.tests  # its size was checked when it was stored
        default_language = problem.language
        requested_limits = item.limits or (CodeLimits(**problem.limits) if problem.limits else None)
    else:
        assert item.tests is not None
        tests = item.tests
        too_large = tests_size_error(tests, settings)
        if too_large is not None:
            return _Plan(Verdict("error", None, {"error": too_large}))
        default_language = None
        requested_limits = item.limits
    language_hint = item.language or default_language
    program = extract_program(item.response, language_hint)
    if program is None:
        return _Plan(Verdict("no_code", 0.0, {"error": "no fenced code block in the response (after </think>)"}))
    requested = language_hint or program.language or (program.tag if program.names_unknown_language else "python")
    language = resolve_language(requested)
    if language is None:
        return _Plan(
            Verdict("error", None, {"error": f"language {requested!r} is not supported here; see GET /languages"})
        )
    judge_error = tests.judge_error()
    if judge_error is not None:
        return _Plan(Verdict("error", None, {"error": judge_error}))
    limits = item_limits(requested_limits, settings)
    reference = ProblemRef(problem.id, problem.hash) if problem is not None else None
    job = CodeJob(program.source, language, tests, limits, options.all_or_nothing, problem=reference)
    # A stored problem is known by its content hash: no need to serialize its tests per item.
    tests_key = problem.hash if problem is not None else tests.canonical()
    key = (CODE_VERIFIER_VERSION, "code", language.name, program.source, tests_key, limits, options.all_or_nothing)
    details: dict[str, Any] = {"language": language.name}
    if problem is not None:
        details["problem"] = {"id": problem.id, "hash": problem.hash}
    # Plans of stored problems are not memoized: the same item means other tests once the problem is stored anew.
    return _Plan(key=key, job=job, details=details, reusable=problem is None)


def _plan(item: AnyItem, options: ScoreOptions, settings: Settings, problems: Mapping[str, ResolvedProblem]) -> _Plan:
    try:
        too_large = response_size_error(item.response, settings)
        if too_large is not None:
            return _Plan(Verdict("error", None, {"error": too_large}))
        if isinstance(item, MathItem):
            return _plan_math(item, options, settings)
        return _plan_code(item, options, settings, problems)
    except Exception as exc:  # one item's failure never fails the batch
        return _Plan(Verdict("error", None, {"error": f"could not prepare item: {type(exc).__name__}: {exc}"}))


def _plan_batch(
    items: Sequence[AnyItem],
    options: ScoreOptions,
    settings: Settings,
    until: float,
    problems: Mapping[str, ResolvedProblem],
) -> list[_Plan]:
    """Plans for ``items``; those not reached by ``until`` (monotonic) time out.

    Extraction is linear in a response, but a batch of thousands of long ones still
    takes time, and that time is the request's.
    """
    plans = []
    for item in items:
        if time.monotonic() > until:
            late = Verdict("timeout", None, {"error": "the request deadline passed before this item was read"})
            plans.append(_Plan(late, reusable=False))
        else:
            plans.append(_plan(item, options, settings, problems))
    return plans


async def _problems_named(items: Sequence[AnyItem], ctx: ScoringContext) -> Mapping[str, ResolvedProblem]:
    ids = {item.problem for item in items if isinstance(item, CodeItem) and item.problem is not None}
    if not ids:
        return {}
    try:
        return await ctx.problems.resolve(ids)
    except Exception as exc:  # the store unreachable: those items get `error`, the rest is scored
        log.warning("could not read stored problems: %s", exc)
        return {}


async def score_batch(
    items: Sequence[AnyItem],
    options: ScoreOptions,
    ctx: ScoringContext,
    *,
    deadline_s: float | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> list[ItemResult]:
    """``deadline_s`` defaults to the /score one; ``on_progress(done, total)`` follows the items as verdicts arrive."""
    started = time.monotonic()
    if deadline_s is None:
        deadline_s = min(options.deadline_s or ctx.settings.score_deadline_s, ctx.settings.score_deadline_s)
    # Extraction is pure Python over every response: keep it off the event loop (its
    # scans are linear and release the interpreter lock often, see verifiers/scan.py).
    # Items seen before (a resent batch) reuse their plans: see reward_service/plan_memo.py.
    problems = await _problems_named(items, ctx)
    plans = await asyncio.to_thread(
        ctx.plan_memo.plan_batch,
        items,
        options,
        lambda todo: _plan_batch(todo, options, ctx.settings, started + deadline_s, problems),
        lambda plan: plan.reusable,
    )
    # Language shares are per response (no dedupe to gain from workers) and need no
    # verdict: they are computed in a thread while the workers verify.
    languages = asyncio.create_task(asyncio.to_thread(reasoning_languages, items, options.language))

    jobs: dict[Hashable, Job] = {}
    for plan in plans:
        if plan.key is not None and plan.key not in jobs and plan.job is not None:
            jobs[plan.key] = plan.job

    verdicts: dict[Hashable, Verdict] = await ctx.cache.get_many(list(jobs))
    from_cache: set[Hashable] = set(verdicts)
    to_run = [key for key in jobs if key not in from_cache]

    # Progress counts items: one verdict settles every item that shares its key.
    items_per_key = Counter(plan.key for plan in plans if plan.key is not None and plan.key not in from_cache)
    done = len(items) - sum(items_per_key.values())

    def verdict_arrived(index: int) -> None:
        nonlocal done
        done += items_per_key[to_run[index]]
        if on_progress is not None:
            on_progress(done, len(items))

    if on_progress is not None:
        on_progress(done, len(items))
    remaining_s = max(0.0, deadline_s - (time.monotonic() - started))
    outcomes = await verify_within(ctx.dispatcher, [jobs[key] for key in to_run], remaining_s, verdict_arrived)
    fresh = dict(zip(to_run, outcomes, strict=False))
    verdicts.update(fresh)
    await ctx.cache.put_many(fresh)

    shares = await languages
    results: list[ItemResult] = []
    seen: set[Hashable] = set()
    # Counted here and added to the metrics once per label set: a labelled increment costs
    # about 15 us, a tenth of planning an item, and a batch has thousands of items.
    lookups: Counter[str] = Counter()
    scored: Counter[tuple[str, str]] = Counter()
    code_verdicts: Counter[tuple[str, str]] = Counter()
    timeouts: Counter[str] = Counter()
    for item, plan, share in zip(items, plans, shares, strict=False):
        if plan.key is None:
            verdict, cached = plan.verdict, False
        else:
            verdict = verdicts[plan.key]
            cached = plan.key in from_cache or plan.key in seen
            seen.add(plan.key)
            lookups["cache" if plan.key in from_cache else "batch" if cached else "miss"] += 1
        assert verdict is not None
        details = {**plan.details, **verdict.details}
        score = composite_reward(item.response, verdict.reward, options, share, details)
        results.append(ItemResult(id=item.id, score=score, status=verdict.status, details=details, cached=cached))
        scored[item.task, verdict.status] += 1
        if isinstance(item, CodeItem):
            code_verdicts[details.get("language", "unknown"), verdict.status] += 1
        if verdict.status in ("timeout", "time_limit"):
            timeouts[item.task] += 1
    metrics = ctx.metrics
    for outcome, count in lookups.items():
        metrics.cache_lookups.labels(outcome).inc(count)
    for (task, status), count in scored.items():
        metrics.items_scored.labels(task, status).inc(count)
    for (language, status), count in code_verdicts.items():
        metrics.code_verdicts.labels(language, status).inc(count)
    for task, count in timeouts.items():
        metrics.timeouts.labels(task).inc(count)
    return results
