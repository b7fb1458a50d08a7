"""Request building and response parsing shared by the sync and async clients.

Nothing here does I/O: both clients call these functions around their own transport.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from reward_client.errors import ProtocolMismatch, RequestRejected, ServiceFailed

Item = Mapping[str, Any]
JSON_HEADERS = {"content-type": "application/json", "accept": "application/json"}

# Item fields the API types as strings; trainers often hold answers as ints or numpy scalars.
_STRING_FIELDS = ("id", "response", "ground_truth")


@dataclass(frozen=True)
class ScoreResult:
    """One item's verdict, as `POST /score` returns it."""

    id: str
    score: float | None  # None: the service could not decide (timeout, its own error), never a silent 0
    status: str
    details: dict[str, Any] = field(default_factory=dict)
    cached: bool = False

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ScoreResult:
        score = data.get("score")
        return cls(
            id=str(data["id"]),
            score=None if score is None else float(score),
            status=str(data["status"]),
            details=dict(data.get("details") or {}),
            cached=bool(data.get("cached", False)),
        )


def plain(value: Any) -> Any:
    """JSON fallback for values json cannot encode: numpy scalars and arrays, torch tensors, sets.

    Duck-typed on `.tolist()` so that numpy is never imported here.
    """
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return tolist()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable: pass plain values, lists or numpy arrays")


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return str(plain(value) if callable(getattr(value, "tolist", None)) else value)


def prepare_items(items: Sequence[Item], first_id: int = 0) -> list[dict[str, Any]]:
    """Copy items into plain dicts: give each an id (its position) when it has none, stringify string fields."""
    prepared: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        body = dict(item)
        body.setdefault("id", str(first_id + index))
        for name in _STRING_FIELDS:
            if name in body and body[name] is not None:
                body[name] = _as_text(body[name])
        prepared.append(body)
    return prepared


def encode_json(body: Any) -> bytes:
    return json.dumps(body, default=plain, ensure_ascii=False, separators=(",", ":")).encode()


def score_body(items: Sequence[Item], options: Mapping[str, Any] | None) -> bytes:
    body: dict[str, Any] = {"items": list(items)}
    if options:
        body["options"] = dict(options)
    return encode_json(body)


def options_key(options: Mapping[str, Any] | None) -> str:
    """Items are merged into one request only when their options are equal."""
    return encode_json(dict(options or {})).decode()


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def halves_if_too_large(error: RequestRejected, items: Sequence[Any]) -> tuple[Sequence[Any], Sequence[Any]] | None:
    """The two halves to send instead, when the server refused ``items`` as too many or too large (413).

    A server configured below this client's `max_batch_items` (REWARD_MAX_ITEMS), or a
    body past its byte limit, costs a split, not the call. One item that is too large
    stays an error: nothing smaller can be sent.
    """
    if error.status_code != 413 or len(items) < 2:
        return None
    middle = len(items) // 2
    return items[:middle], items[middle:]


def _detail(response: httpx.Response) -> Any:
    try:
        return response.json().get("detail", response.text)
    except (ValueError, AttributeError):
        return response.text[:2000]


def checked_json(response: httpx.Response) -> Any:
    """The body of a 2xx answer; raise the matching error for anything else."""
    if response.is_success:
        try:
            return response.json()
        except ValueError as exc:
            raise ProtocolMismatch(
                f"{response.request.url} answered {response.status_code} with a non-JSON body"
            ) from exc
    if 400 <= response.status_code < 500:
        raise RequestRejected(response.status_code, _detail(response))
    raise ServiceFailed(response.status_code, _detail(response))


def parse_score_response(response: httpx.Response, expected: int) -> list[ScoreResult]:
    data = checked_json(response)
    try:
        results = [ScoreResult.from_json(result) for result in data["results"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise ProtocolMismatch(f"unexpected /score answer: {str(data)[:500]}") from exc
    if len(results) != expected:
        raise ProtocolMismatch(f"/score answered {len(results)} results for {expected} items")
    return results
