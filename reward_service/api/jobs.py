"""POST /jobs and GET /jobs/{id}: large batches scored in the background, fetched when done."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Response
from redis.exceptions import RedisError

from reward_service.api.backpressure import admit_batch, refuse_oversized_batch
from reward_service.api.deps import batch_jobs, scoring_context
from reward_service.api.strict_json import StrictJSONRoute
from reward_service.batch_jobs.runner import BatchJobs
from reward_service.context import ScoringContext
from reward_service.schemas.scoring import ErrorResponse, JobStatus, ScoreRequest

router = APIRouter(tags=["jobs"], route_class=StrictJSONRoute)

_STORE_DOWN = "the job store (Redis) is unreachable: retry shortly"


@router.post(
    "/jobs",
    status_code=202,
    response_model=JobStatus,
    responses={413: {"model": ErrorResponse}, 429: {"model": ErrorResponse}, 503: {"model": ErrorResponse}},
    dependencies=[Depends(admit_batch)],
    summary="Start scoring a batch in the background; poll GET /jobs/{id}",
)
async def submit_job(
    request: ScoreRequest,
    response: Response,
    ctx: Annotated[ScoringContext, Depends(scoring_context)],
    jobs: Annotated[BatchJobs, Depends(batch_jobs)],
) -> JobStatus:
    refuse_oversized_batch(len(request.items), ctx.settings)
    try:
        state = await jobs.submit(request.items, request.options, ctx)
    except RedisError as exc:
        raise HTTPException(503, _STORE_DOWN, headers={"Retry-After": str(ctx.settings.retry_after_s)}) from exc
    response.headers["Location"] = f"/jobs/{state.id}"
    return state


@router.get(
    "/jobs/{job_id}",
    response_model=JobStatus,
    responses={404: {"model": ErrorResponse}, 503: {"model": ErrorResponse}},
    summary="Progress of a batch (done/total), then its results",
)
async def get_job(
    job_id: str,
    ctx: Annotated[ScoringContext, Depends(scoring_context)],
    jobs: Annotated[BatchJobs, Depends(batch_jobs)],
) -> JobStatus:
    try:
        state = await jobs.store.get(job_id)
    except RedisError as exc:
        raise HTTPException(503, _STORE_DOWN, headers={"Retry-After": str(ctx.settings.retry_after_s)}) from exc
    if state is None:
        raise HTTPException(
            404,
            f"no batch {job_id!r}: it never existed or its results expired "
            f"(they are kept {ctx.settings.job_result_ttl_s} s after it finishes, REWARD_JOB_RESULT_TTL_S)",
        )
    return state
