"""Sessions (`/sessions`): what both clients send and how a cell's result reads to a model.

A session is a Python interpreter per trajectory on the service, for tool-integrated RL:
cells run one after another and keep their state. The clients' `open_session`,
`run_cell`, `get_session` and `close_session` build their requests here, and
`cell_text` turns a cell's result into the observation a model reads next.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

# Cut a long observation in the middle: its start and its end (the error) matter most.
OBSERVATION_CHARS = 8000


def session_body(
    limits: Mapping[str, Any] | None = None,
    idle_ttl_s: float | None = None,
    files: Mapping[str, str] | None = None,
    language: str = "python",
) -> dict[str, Any]:
    body: dict[str, Any] = {"language": language}
    if limits:
        body["limits"] = dict(limits)
    if idle_ttl_s is not None:
        body["idle_ttl_s"] = idle_ttl_s
    if files:
        body["files"] = dict(files)
    return body


def session_path(session_id: str, action: str = "") -> str:
    path = f"/sessions/{quote(session_id, safe='')}"
    return f"{path}/{action}" if action else path


def cell_text(result: Mapping[str, Any], max_chars: int = OBSERVATION_CHARS) -> str:
    """What a cell printed, its value and its error, as a notebook would show them."""
    parts = [str(result.get("stdout") or ""), str(result.get("stderr") or "")]
    if result.get("value") is not None:
        parts.append(str(result["value"]))
    error = result.get("error")
    if error:
        parts.append(error.get("traceback") or f"{error.get('type')}: {error.get('message')}")
    if result.get("state_lost"):
        parts.append(f"[{result.get('status')}: the interpreter was restarted; earlier variables are gone]")
    text = "\n".join(part.rstrip("\n") for part in parts if part)
    if len(text) > max_chars:
        half = max_chars // 2
        text = f"{text[:half]}\n...[{len(text) - max_chars} characters cut]...\n{text[-half:]}"
    return text
