"""How the API and the session workers talk through Redis: the keys, and the messages.

Each session worker (`reward-service worker --queue sessions`) has a request list of its
own and says it is alive with a key that expires unless it is renewed; the API keeps,
per session, which worker holds it. A request names a reply list, which the worker fills
once; the API waits on it in short slices and looks at the worker's liveness between
them, so a worker that dies is noticed within ALIVE_TTL_S (410 Gone), never waited on.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from reward_service.exceptions import SessionBusy, SessionGone, SessionNotFound, SessionsFull, SessionsUnavailable
from reward_service.sessions.base import SessionDescription, SessionSpec

PREFIX = "reward:sessions:"
WORKERS = PREFIX + "workers"  # hash: worker id -> how many more sessions it takes
ALIVE_TTL_S = 6
HEARTBEAT_S = 2.0
REPLY_TTL_S = 60


def alive_key(worker: str) -> str:
    return f"{PREFIX}alive:{worker}"


def requests_key(worker: str) -> str:
    return f"{PREFIX}requests:{worker}"


def reply_key(request_id: str) -> str:
    return f"{PREFIX}reply:{request_id}"


def route_key(session_id: str) -> str:
    """Which worker holds the session, and whose it is."""
    return f"{PREFIX}route:{session_id}"


def owner_key(owner: str) -> str:
    """The sessions of one owner (a token's digest), for the per-token cap."""
    return f"{PREFIX}owner:{owner}"


# The errors a worker's reply may carry, by name: the API raises the same ones.
ERRORS: dict[str, type[Exception]] = {
    cls.__name__: cls for cls in (SessionNotFound, SessionBusy, SessionsFull, SessionsUnavailable, SessionGone)
}


def encode(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"))


def spec_message(spec: SessionSpec) -> dict[str, Any]:
    data = asdict(spec)
    data["files"] = [list(pair) for pair in spec.files]
    return data


def spec_from(data: dict[str, Any]) -> SessionSpec:
    return SessionSpec(**{**data, "files": tuple((str(name), str(text)) for name, text in data.get("files", []))})


def description_from(data: dict[str, Any]) -> SessionDescription:
    return SessionDescription(**data)
