"""PUT, GET and DELETE /problems/{id}: a problem's tests stored once, named by items."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Response
from redis.exceptions import RedisError

from reward_service.api.deps import scoring_context
from reward_service.api.strict_json import StrictJSONRoute
from reward_service.context import ScoringContext
from reward_service.exceptions import ProblemRefused
from reward_service.problems.admit import admit_problem
from reward_service.schemas.scoring import ErrorResponse, ProblemBody, ProblemId, ProblemRecord, ProblemStored

router = APIRouter(tags=["problems"], route_class=StrictJSONRoute)

ProblemPath = Annotated[ProblemId, Path(description="Letters, digits and `_.:-`, at most 200 characters.")]
_STORE_DOWN = "the problem store (Redis) is unreachable: retry shortly"


def _unknown(problem_id: str) -> HTTPException:
    return HTTPException(404, f"no stored problem {problem_id!r}: PUT /problems/{problem_id} first")


@router.put(
    "/problems/{problem_id}",
    response_model=ProblemStored,
    responses={413: {"model": ErrorResponse}, 422: {"model": ErrorResponse}, 503: {"model": ErrorResponse}},
    summary="Store a problem's tests (and judge, support files, defaults) once; items name it",
)
async def put_problem(
    problem_id: ProblemPath, body: ProblemBody, ctx: Annotated[ScoringContext, Depends(scoring_context)]
) -> ProblemStored:
    settings = ctx.settings
    try:
        admitted = admit_problem(problem_id, body, settings)
    except ProblemRefused as exc:
        raise HTTPException(exc.status, str(exc)) from exc
    try:
        await ctx.problems.store.put(admitted.stored)
    except RedisError as exc:
        raise HTTPException(503, _STORE_DOWN, headers={"Retry-After": str(settings.retry_after_s)}) from exc
    return ProblemStored(id=problem_id, hash=admitted.stored.hash, cases=admitted.cases, size_chars=admitted.size_chars)


@router.get(
    "/problems/{problem_id}",
    response_model=ProblemRecord,
    responses={404: {"model": ErrorResponse}, 503: {"model": ErrorResponse}},
    summary="A stored problem, as stored, with its hash",
)
async def get_problem(
    problem_id: ProblemPath, ctx: Annotated[ScoringContext, Depends(scoring_context)]
) -> ProblemRecord:
    try:
        found = await ctx.problems.store.get_many([problem_id])
    except RedisError as exc:
        raise HTTPException(503, _STORE_DOWN) from exc
    if problem_id not in found:
        raise _unknown(problem_id)
    stored = found[problem_id]
    return ProblemRecord(id=problem_id, hash=stored.hash, problem=json.loads(stored.body_json))


@router.delete(
    "/problems/{problem_id}",
    status_code=204,
    responses={404: {"model": ErrorResponse}, 503: {"model": ErrorResponse}},
    summary="Forget a stored problem; items that name it afterwards get `error`",
)
async def delete_problem(problem_id: ProblemPath, ctx: Annotated[ScoringContext, Depends(scoring_context)]) -> Response:
    try:
        existed = await ctx.problems.store.delete(problem_id)
    except RedisError as exc:
        raise HTTPException(503, _STORE_DOWN) from exc
    if not existed:
        raise _unknown(problem_id)
    return Response(status_code=204)
