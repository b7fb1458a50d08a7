"""Sessions on the session workers, for an API that queues on Redis: each request routed to
the worker that holds the session (routing.py), so no load-balancer stickiness is needed:
any API replica reaches any session.

A session opens on the live worker with the most room; its route (worker and owner) is
kept in Redis for as long as the session lives. A request waits for its reply in short
slices and checks the worker's liveness between them: a worker that stopped turns every
one of its sessions into SessionGone (410), within routing.ALIVE_TTL_S, never a hang.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from reward_sandbox.kernel import CellReply
from reward_service.exceptions import SessionGone, SessionNotFound, SessionsFull, SessionsUnavailable
from reward_service.sessions import routing
from reward_service.sessions.base import SessionDescription, SessionSpec
from reward_service.settings import Settings
from reward_service.verifiers.code.limits import request_timeout_s

# Opening, describing and closing wait this long at most for a live worker's answer.
_CONTROL_TIMEOUT_S = 60.0


class RemoteSessions:
    def __init__(self, settings: Settings, redis: Redis) -> None:
        self._settings = settings
        self._redis = redis

    async def _live_workers(self) -> dict[str, int]:
        rooms = await self._redis.hgetall(routing.WORKERS)
        workers = {str(key): int(value) for key, value in rooms.items()}
        if not workers:
            return {}
        alive = await self._redis.mget([routing.alive_key(worker) for worker in workers])
        return {worker: room for (worker, room), flag in zip(workers.items(), alive, strict=True) if flag}

    async def _ask(self, worker: str, request: dict[str, Any], timeout_s: float, session: str | None) -> dict[str, Any]:
        request = {**request, "id": uuid.uuid4().hex}
        reply = routing.reply_key(request["id"])
        deadline = time.monotonic() + timeout_s
        try:
            if not await self._redis.exists(routing.alive_key(worker)):
                raise self._gone(worker, session)
            await self._redis.rpush(routing.requests_key(worker), routing.encode(request))
            while True:
                popped = await self._redis.blpop([reply], timeout=1)
                if popped is not None:
                    answer: dict[str, Any] = json.loads(popped[1])
                    break
                if not await self._redis.exists(routing.alive_key(worker)):
                    raise self._gone(worker, session)
                if time.monotonic() > deadline:
                    raise SessionsUnavailable(f"the session worker {worker} did not answer within {timeout_s:g} s")
        except RedisError as exc:
            raise SessionsUnavailable(f"Redis is unreachable: {exc}") from exc
        error = answer.get("error")
        if error:
            raise routing.ERRORS.get(error, SessionsUnavailable)(answer.get("message", error))
        return answer

    def _gone(self, worker: str, session: str | None) -> Exception:
        if session is None:
            return SessionsUnavailable(f"the session worker {worker} stopped; retry")
        return SessionGone(
            f"the session worker holding session {session} ({worker}) stopped: the session's state is lost; "
            "open a new session"
        )

    async def _route(self, owner: str, session_id: str) -> dict[str, Any]:
        """The session's route: its worker (alive), owner, cell time and idle TTL."""
        try:
            raw = await self._redis.get(routing.route_key(session_id))
        except RedisError as exc:
            raise SessionsUnavailable(f"Redis is unreachable: {exc}") from exc
        route = json.loads(raw) if raw else None
        if route is None or route.get("owner") != owner:
            raise SessionNotFound(
                f"no session {session_id[:64]!r}: it ended, was reaped after its idle TTL, or never was"
            )
        worker = str(route["worker"])
        if not await self._redis.exists(routing.alive_key(worker)):
            await self._forget(session_id, owner)
            raise self._gone(worker, session_id)
        return dict(route)

    async def _forget(self, session_id: str, owner: str) -> None:
        await self._redis.delete(routing.route_key(session_id))
        await self._redis.srem(routing.owner_key(owner), session_id)

    async def _owned(self, owner: str) -> int:
        """This owner's sessions that still have a route (pruning those that lost theirs)."""
        members = [str(member) for member in await self._redis.smembers(routing.owner_key(owner))]
        if not members:
            return 0
        routes = await self._redis.mget([routing.route_key(member) for member in members])
        gone = [member for member, route in zip(members, routes, strict=True) if route is None]
        if gone:
            await self._redis.srem(routing.owner_key(owner), *gone)
        return len(members) - len(gone)

    async def open(self, owner: str, spec: SessionSpec, language: str = "python") -> SessionDescription:
        settings = self._settings
        try:
            workers = await self._live_workers()
            if not workers:
                raise SessionsUnavailable(
                    "no session worker is running: start one with `reward-service worker --queue sessions`"
                )
            mine = await self._owned(owner)
        except RedisError as exc:
            raise SessionsUnavailable(f"Redis is unreachable: {exc}") from exc
        if mine >= settings.session_max_per_token:
            raise SessionsFull(
                f"this token holds {mine} open sessions, the most one token may (REWARD_SESSION_MAX_PER_TOKEN): "
                "end finished ones first"
            )
        worker, room = max(workers.items(), key=lambda pair: pair[1])
        if room <= 0:
            raise SessionsFull(
                f"every session worker is full ({len(workers)} of them): end finished sessions, add workers, "
                f"or retry in {settings.retry_after_s} s"
            )
        # Counted at once, so that opens before the worker's next heartbeat spread out.
        await self._redis.hincrby(routing.WORKERS, worker, -1)
        request = {"op": "open", "owner": owner, "spec": routing.spec_message(spec), "language": language}
        answer = await self._ask(worker, request, _CONTROL_TIMEOUT_S, None)
        described = routing.description_from(answer["description"])
        route = routing.encode({"worker": worker, "owner": owner, "time_s": spec.time_s, "idle_ttl_s": spec.idle_ttl_s})
        # The route outlives the session's idle TTL a little; the worker deletes it when the session ends.
        await self._redis.set(routing.route_key(described.id), route, ex=int(spec.idle_ttl_s) + 60)
        await self._redis.sadd(routing.owner_key(owner), described.id)
        return described

    async def describe(self, owner: str, session_id: str) -> SessionDescription:
        route = await self._route(owner, session_id)
        request = {"op": "describe", "owner": owner, "session": session_id}
        answer = await self._ask(route["worker"], request, _CONTROL_TIMEOUT_S, session_id)
        return routing.description_from(answer["description"])

    async def run_cell(self, owner: str, session_id: str, code: str) -> tuple[int, CellReply]:
        route = await self._route(owner, session_id)
        request = {"op": "run", "owner": owner, "session": session_id, "code": code}
        answer = await self._ask(route["worker"], request, request_timeout_s([float(route["time_s"])]) + 10, session_id)
        await self._redis.expire(routing.route_key(session_id), int(route["idle_ttl_s"]) + 60)
        reply: CellReply = answer["reply"]
        return int(answer["cell"]), reply

    async def close(self, owner: str, session_id: str) -> None:
        route = await self._route(owner, session_id)
        await self._ask(
            route["worker"], {"op": "close", "owner": owner, "session": session_id}, _CONTROL_TIMEOUT_S, session_id
        )
        await self._forget(session_id, owner)

    async def aclose(self) -> None:
        await self._redis.aclose()
