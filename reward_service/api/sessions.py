"""/sessions: a stateful Python kernel per trajectory, for tool-integrated RL (multi-turn tool use).

POST /sessions opens one, POST /sessions/{id}/run runs a cell in it (state persists between
cells), GET describes it, DELETE ends it. A session belongs to the token that opened it:
another token gets 404, as for a session that never was. Cells in one session run one after
another; a cell sent while another runs is 409, so a trainer's retry cannot run a cell twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response

from reward_service.api.auth import bearer_token
from reward_service.api.strict_json import StrictJSONRoute
from reward_service.exceptions import SessionBusy, SessionGone, SessionNotFound, SessionsFull, SessionsUnavailable
from reward_service.schemas.scoring import ErrorResponse
from reward_service.schemas.sessions import CellError, CellRequest, CellResult, SessionCreate, SessionInfo
from reward_service.sessions.base import SessionDescription, Sessions, session_spec

router = APIRouter(tags=["sessions"], route_class=StrictJSONRoute)

_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorResponse},
    410: {"model": ErrorResponse},
    503: {"model": ErrorResponse},
}


def registry(request: Request) -> Sessions:
    sessions: Sessions = request.app.state.sessions
    return sessions


def owner(request: Request) -> str:
    """Who the session belongs to: a digest of the bearer token (the token itself is never kept);
    without tokens configured, every caller is the same owner."""
    token = bearer_token(request.scope) or b""
    return hashlib.sha256(token).hexdigest()


Registry = Annotated[Sessions, Depends(registry)]
Owner = Annotated[str, Depends(owner)]


def _info(described: SessionDescription) -> SessionInfo:
    return SessionInfo.model_validate(asdict(described))


def _lookup_failed(exc: SessionNotFound | SessionGone | SessionsUnavailable) -> HTTPException:
    """404 for a session not there (for this token), 410 for one its worker took down with it."""
    if isinstance(exc, SessionGone):
        return HTTPException(410, str(exc))
    if isinstance(exc, SessionsUnavailable):
        return HTTPException(503, str(exc))
    return HTTPException(404, str(exc))


@router.post(
    "/sessions",
    status_code=201,
    response_model=SessionInfo,
    responses={413: {"model": ErrorResponse}, 429: {"model": ErrorResponse}, 503: {"model": ErrorResponse}},
    summary="Open a session: a Python kernel whose state persists between cells",
)
async def open_session(body: SessionCreate, sessions: Registry, who: Owner, request: Request) -> SessionInfo:
    settings = request.app.state.scoring.settings
    size = sum(len(content) for content in body.files.values())
    if size > settings.max_tests_chars:
        raise HTTPException(
            413,
            f"files have {size} characters together; this server takes at most {settings.max_tests_chars} "
            "(REWARD_MAX_TESTS_CHARS)",
        )
    limits = body.limits
    spec = session_spec(
        settings,
        time_s=limits.time_s,
        memory_mb=limits.memory_mb,
        output_kb=limits.output_kb,
        cpu_s=limits.cpu_s,
        idle_ttl_s=body.idle_ttl_s,
        files=tuple(body.files.items()),
    )
    try:
        described = await sessions.open(who, spec, body.language)
    except SessionsFull as exc:
        raise HTTPException(429, str(exc), headers={"Retry-After": str(settings.retry_after_s)}) from exc
    except SessionsUnavailable as exc:
        raise HTTPException(503, str(exc)) from exc
    return _info(described)


@router.post(
    "/sessions/{session_id}/run",
    response_model=CellResult,
    responses={**_ERRORS, 409: {"model": ErrorResponse}, 410: {"model": ErrorResponse}, 413: {"model": ErrorResponse}},
    summary="Run a cell in a session",
)
async def run_cell(session_id: str, body: CellRequest, sessions: Registry, who: Owner, request: Request) -> CellResult:
    settings = request.app.state.scoring.settings
    if len(body.code) > settings.session_max_cell_chars:
        raise HTTPException(
            413,
            f"the cell has {len(body.code)} characters; this server runs at most {settings.session_max_cell_chars} "
            "(REWARD_SESSION_MAX_CELL_CHARS)",
        )
    try:
        number, reply = await sessions.run_cell(who, session_id, body.code)
    except (SessionNotFound, SessionGone, SessionsUnavailable) as exc:
        raise _lookup_failed(exc) from exc
    except SessionBusy as exc:
        raise HTTPException(409, str(exc)) from exc
    error = reply["error"]
    return CellResult(
        status=reply["status"],
        stdout=reply["stdout"],
        stderr=reply["stderr"],
        value=reply["value"],
        error=CellError(**error) if error else None,
        cell=number,
        cpu_s=round(reply["cpu_s"], 4),
        wall_s=round(reply["wall_s"], 4),
        state_lost=reply["state_lost"],
        restarted=reply["restarted"],
    )


@router.get("/sessions/{session_id}", response_model=SessionInfo, responses=_ERRORS, summary="Describe a session")
async def describe_session(session_id: str, sessions: Registry, who: Owner) -> SessionInfo:
    try:
        return _info(await sessions.describe(who, session_id))
    except (SessionNotFound, SessionGone, SessionsUnavailable) as exc:
        raise _lookup_failed(exc) from exc


@router.delete("/sessions/{session_id}", status_code=204, responses=_ERRORS, summary="End a session")
async def end_session(session_id: str, sessions: Registry, who: Owner) -> Response:
    try:
        await sessions.close(who, session_id)
    except (SessionNotFound, SessionGone, SessionsUnavailable) as exc:
        raise _lookup_failed(exc) from exc
    return Response(status_code=204)
