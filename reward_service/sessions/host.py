"""`reward-service worker --queue sessions`: a session worker, holding sessions for an API
that queues on Redis.

Its sessions live in this process (the same registry as the embedded default's), and the
API reaches them through Redis (routing.py): the worker takes requests from a list of its
own, one task each (cells of different sessions run at once; one session's run one after
another, a second one meanwhile is SessionBusy), and pushes each answer onto the list the
request names. It renews its liveness key every HEARTBEAT_S with the room it has left, so
the API picks the worker with the most room and notices within ALIVE_TTL_S when it is
gone. A session it ends (closed, reaped after its idle TTL, or at shutdown) loses its
route, so the API answers 404 for it from then on.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import socket
import uuid
from dataclasses import asdict
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from reward_service.logging_setup import configure_logging
from reward_service.sessions import routing
from reward_service.sessions.registry import SessionRegistry, open_local_sessions
from reward_service.settings import Settings

log = logging.getLogger(__name__)


async def _answer(registry: SessionRegistry, request: dict[str, Any]) -> dict[str, Any]:
    """The reply to one request: its result, or the name and message of the session error it raised."""
    owner = str(request["owner"])
    try:
        op = request["op"]
        if op == "open":
            described = await registry.open(
                owner, routing.spec_from(request["spec"]), request.get("language", "python")
            )
            return {"description": asdict(described)}
        if op == "describe":
            return {"description": asdict(await registry.describe(owner, request["session"]))}
        if op == "run":
            number, reply = await registry.run_cell(owner, request["session"], request["code"])
            return {"cell": number, "reply": dict(reply)}
        if op == "close":
            await registry.close(owner, request["session"])
            return {}
        return {"error": "SessionsUnavailable", "message": f"unknown request {op!r}"}
    except tuple(routing.ERRORS.values()) as exc:
        return {"error": type(exc).__name__, "message": str(exc)}


async def _serve(redis: Redis, registry: SessionRegistry, worker: str, stopping: asyncio.Event) -> None:
    tasks: set[asyncio.Task[None]] = set()

    async def handle(raw: str) -> None:
        request = json.loads(raw)
        try:
            answer = await _answer(registry, request)
        except Exception as exc:  # the API gets an answer whatever happened here
            log.exception("a session request failed")
            answer = {"error": "SessionsUnavailable", "message": f"the session worker failed: {exc}"}
        key = routing.reply_key(request["id"])
        await redis.rpush(key, routing.encode(answer))
        await redis.expire(key, routing.REPLY_TTL_S)

    while not stopping.is_set():
        try:
            popped = await redis.blpop([routing.requests_key(worker)], timeout=1)
        except RedisError as exc:
            log.warning("Redis unreachable (%s); the session worker waits", exc)
            await asyncio.sleep(1)
            continue
        if popped is None:
            continue
        task = asyncio.create_task(handle(str(popped[1])))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.wait(tasks, timeout=30)


async def _heartbeat(redis: Redis, registry: SessionRegistry, worker: str, stopping: asyncio.Event) -> None:
    while not stopping.is_set():
        try:
            await redis.set(routing.alive_key(worker), "1", ex=routing.ALIVE_TTL_S)
            await redis.hset(routing.WORKERS, worker, registry.room)
        except RedisError as exc:
            log.warning("Redis unreachable (%s); heartbeat missed", exc)
        try:
            await asyncio.wait_for(stopping.wait(), routing.HEARTBEAT_S)
        except asyncio.TimeoutError:
            pass


async def host_sessions(settings: Settings) -> int:
    worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    redis = Redis.from_url(settings.redis_url or "", socket_connect_timeout=2, decode_responses=True)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)

    async def forget(session_id: str) -> None:
        await redis.delete(routing.route_key(session_id))

    try:
        await redis.ping()
    except RedisError as exc:
        log.error("reward-service worker: Redis is unreachable (%s)", exc)
        await redis.aclose()
        return 1
    try:
        async with open_local_sessions(settings, worker, forget) as registry:
            log.info("session worker %s up: room for %d sessions", worker, registry.room)
            beats = asyncio.create_task(_heartbeat(redis, registry, worker, stopping))
            try:
                await _serve(redis, registry, worker, stopping)
            finally:
                stopping.set()
                await beats
        return 0
    finally:
        try:
            await redis.delete(routing.alive_key(worker), routing.requests_key(worker))
            await redis.hdel(routing.WORKERS, worker)
        except RedisError:
            pass  # its liveness key expires by itself
        await redis.aclose()


def run_session_worker(settings: Settings) -> int:
    configure_logging(settings)
    if not settings.redis_url:
        log.error("reward-service worker --queue sessions needs Redis: set REWARD_REDIS_URL (or REDIS_URL)")
        return 2
    return asyncio.run(host_sessions(settings))
