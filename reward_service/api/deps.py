"""Request-scoped access to what the lifespan built."""

from __future__ import annotations

from fastapi import Request

from reward_service.batch_jobs.runner import BatchJobs
from reward_service.context import ScoringContext


def batch_jobs(request: Request) -> BatchJobs:
    jobs: BatchJobs = request.app.state.batch_jobs
    return jobs


def scoring_context(request: Request) -> ScoringContext:
    context: ScoringContext = request.app.state.scoring
    return context
