"""The application factory: settings in, a FastAPI app with its lifespan out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from pydantic import ValidationError

from reward_service import __version__
from reward_service.api import health, jobs, languages, metrics, openrlhf, problems, run_code, score, sessions
from reward_service.api.auth import BearerTokenMiddleware, load_api_tokens
from reward_service.api.backpressure import HeldRequests, admit_batch
from reward_service.api.body_limit import BodySizeLimitMiddleware
from reward_service.api.request_context import RequestContextMiddleware
from reward_service.api.token_path import TokenPathMiddleware
from reward_service.batch_jobs.runner import open_batch_jobs
from reward_service.context import open_scoring_context
from reward_service.schemas.scoring import ScoreOptions
from reward_service.sessions.lifespan import open_sessions
from reward_service.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with (
            open_scoring_context(settings) as context,
            open_batch_jobs(settings) as batch_jobs,
            open_sessions(settings) as session_registry,
        ):
            app.state.scoring = context
            app.state.batch_jobs = batch_jobs
            app.state.sessions = session_registry
            app.state.held_requests = HeldRequests()
            yield

    app = FastAPI(
        title="reward-service",
        version=__version__,
        summary="Rule-based rewards for RL with verifiable rewards: math by symbolic equivalence, code by tests.",
        lifespan=lifespan,
    )
    # Checked here, not in Settings: reading settings (a code worker does) needs no wire model.
    try:
        app.state.openrlhf_options = ScoreOptions.model_validate(settings.openrlhf_options)
    except ValidationError as exc:
        raise ValueError(f"REWARD_OPENRLHF_OPTIONS (openrlhf_options) is not valid score options: {exc}") from exc
    # Each add wraps the ones before: request id (outermost, so every answer carries one),
    # then CORS, then the token path (its token becomes the bearer header), then auth
    # (before any body is read), then the body limit.
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    tokens = load_api_tokens(settings)
    if tokens:
        app.add_middleware(BearerTokenMiddleware, tokens=tokens)
    app.add_middleware(TokenPathMiddleware)
    if settings.cors_allow_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_allow_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["authorization", "content-type", "x-request-id"],
            expose_headers=["x-request-id", "retry-after"],
        )
    app.add_middleware(RequestContextMiddleware)
    app.include_router(score.router, dependencies=[Depends(admit_batch)])
    app.include_router(jobs.router)
    app.include_router(problems.router)
    app.include_router(sessions.router)
    app.include_router(languages.router)
    app.include_router(health.router)
    app.include_router(metrics.router)
    # These two hold a request under backpressure (their callers cannot wait out a 429) and admit it themselves.
    app.include_router(openrlhf.router)
    app.include_router(run_code.router)
    return app
