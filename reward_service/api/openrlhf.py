"""POST /openrlhf: OpenRLHF's remote reward-model format, so a trainer needs only the URL.

Format, from OpenRLHF 0.11.0 (openrlhf/utils/agent.py, `SingleTurnAgentExecutor._fetch_rewards_via_http`,
and openrlhf/cli/serve_rm.py; commit 3c3be62, August 2026): the trainer posts
`{"query": [...], "prompts": [...], "labels": [...]}` (one rollout per call, `query` being
prompt and response decoded with special tokens kept) and reads `rewards`, `scores` (for
dynamic filtering) and `extra_logs` (logged per rollout) from the answer.

OpenRLHF turns rewards into tensors, which hold no "unknown": a score the service could not
decide is sent as 0.0 and flagged in `extra_logs.undecided`, so outages show in the logs.

What OpenRLHF's client cannot do, the route does for it (issue 14):
- with several comma-separated URLs, OpenRLHF 0.11.0 and older shard each call across the
  servers and send the empty shards too: an empty list gets an empty answer, not a 422;
- it sends no options: every request is scored with REWARD_OPENRLHF_OPTIONS;
- it retries 5 times 1 s apart, so under backpressure the request is held up to
  REWARD_OPENRLHF_MAX_WAIT_S for room rather than refused at once (429);
- it sends no Authorization header: `/t/<token>/openrlhf` carries the token (api/token_path.py).
"""

from __future__ import annotations

import json
import re
from time import perf_counter
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import TypeAdapter, ValidationError

from reward_service.api.backpressure import HeldRequests, refuse_oversized_batch
from reward_service.api.deps import scoring_context
from reward_service.api.strict_json import StrictJSONRoute
from reward_service.context import ScoringContext
from reward_service.pipeline import score_batch
from reward_service.schemas.dataset_tests import is_io_spec, tests_from_io
from reward_service.schemas.scoring import (
    AnyItem,
    ErrorResponse,
    Item,
    ItemResult,
    OpenRLHFRequest,
    OpenRLHFResponse,
    ScoreOptions,
)

router = APIRouter(tags=["trainers"], route_class=StrictJSONRoute)

_ITEM = TypeAdapter(Item)
_SPECIAL_TOKEN = r"<\|[^<>|\s]{1,40}\|>|<｜[^<>｜]{1,40}｜>|</s>|<eos>|<pad>|<end_of_turn>|\[PAD\]|\[SEP\]"
_TRAILING_SPECIAL_TOKENS = re.compile(rf"(?:\s*(?:{_SPECIAL_TOKEN}))+\s*$")
_PROMPT_TAIL_CHARS = 256


def response_from_query(query: str, prompt: str | None) -> str:
    """The model's response: the query after its prompt, without trailing end-of-turn/padding tokens.

    OpenRLHF left-truncates long prompts, so when the whole prompt is not a prefix of the query its
    tail is looked for instead; when even that is missing the whole query is kept.
    """
    response = query
    if prompt:
        if query.startswith(prompt):
            response = query[len(prompt) :]
        else:
            tail = prompt[-_PROMPT_TAIL_CHARS:]
            found = query.find(tail)
            if found >= 0:
                response = query[found + len(tail) :]
    return _TRAILING_SPECIAL_TOKENS.sub("", response)


def _label_fields(label: Any) -> dict[str, Any]:
    """Item fields (task and its reference) for one OpenRLHF label."""
    if isinstance(label, str) and label.lstrip().startswith("{"):
        try:
            label = json.loads(label)
        except ValueError:
            pass  # a LaTeX set like {1, 2} is a math answer
    if isinstance(label, dict):
        if "kind" in label:
            return {"task": "code", "tests": label}
        if is_io_spec(label):
            # APPS/TACO-shaped tests, by the same rules as the client and the importer.
            return {"task": "code", "tests": tests_from_io(label)}
        if "tests" in label:
            return {"task": "code", **label}
        return {"task": "math", **label}
    if label is None:
        raise ValueError("no label: pass --data.label_key with the ground truth (or a tests object) per prompt")
    return {"task": "math", "ground_truth": str(label)}


def rollout_item(index: int, query: str, prompt: str | None, label: Any) -> AnyItem:
    """The /score item for one rollout; raises ValueError (with the reason) when the label cannot make one."""
    fields = _label_fields(label)
    try:
        return _ITEM.validate_python({**fields, "id": str(index), "response": response_from_query(query, prompt)})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ValueError(f"label does not make a valid {fields.get('task')} item ({problems})") from exc


def _column(values: list[Any] | None, count: int, name: str) -> list[Any]:
    if values is None:
        return [None] * count
    if len(values) != count:
        raise HTTPException(422, f"`{name}` has {len(values)} entries for {count} queries: send one per query")
    return values


@router.post(
    "/openrlhf",
    response_model=OpenRLHFResponse,
    responses={413: {"model": ErrorResponse}, 422: {"model": ErrorResponse}, 429: {"model": ErrorResponse}},
    summary="Score rollouts in OpenRLHF's remote reward-model format",
)
async def openrlhf(
    request: OpenRLHFRequest, http: Request, ctx: Annotated[ScoringContext, Depends(scoring_context)]
) -> OpenRLHFResponse:
    count = len(request.query)
    refuse_oversized_batch(count, ctx.settings, "queries")
    prompts = _column(request.prompts, count, "prompts")
    labels = _column(request.labels, count, "labels")
    if count == 0:  # an empty shard: nothing to wait for
        return OpenRLHFResponse(rewards=[], scores=[], extra_logs={"accuracy": [], "undecided": []})
    options: ScoreOptions = http.app.state.openrlhf_options
    held: HeldRequests = http.app.state.held_requests
    started = perf_counter()

    results: list[ItemResult | None] = [None] * count
    items: list[AnyItem] = []
    for index, (query, prompt, label) in enumerate(zip(request.query, prompts, labels, strict=False)):
        try:
            items.append(rollout_item(index, query, prompt, label))
        except ValueError as exc:  # one bad label never fails the batch
            results[index] = ItemResult(id=str(index), score=None, status="error", details={"error": str(exc)})
            ctx.metrics.items_scored.labels("unknown", "error").inc()
    async with held.admitted(ctx, ctx.settings.openrlhf_max_wait_s):
        if items:
            for item, result in zip(items, await score_batch(items, options, ctx), strict=True):
                results[int(item.id)] = result

    ctx.metrics.request_seconds.labels("/openrlhf").observe(perf_counter() - started)
    ctx.metrics.batch_items.observe(count)
    decided = [result for result in results if result is not None]
    rewards = [0.0 if r.score is None else r.score for r in decided]
    return OpenRLHFResponse(
        rewards=rewards,
        scores=rewards,
        extra_logs={
            "accuracy": [1.0 if r.status in ("correct", "accepted") else 0.0 for r in decided],
            "undecided": [1.0 if r.score is None else 0.0 for r in decided],
        },
    )
