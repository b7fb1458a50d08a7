"""Where the app's sessions live: in this process on the embedded default, or on the
session workers when the server queues on Redis (REWARD_REDIS_URL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis

from reward_service.sessions.base import Sessions
from reward_service.sessions.registry import open_local_sessions
from reward_service.sessions.remote import RemoteSessions
from reward_service.settings import Settings


@asynccontextmanager
async def open_sessions(settings: Settings) -> AsyncIterator[Sessions]:
    if not settings.redis_url:
        async with open_local_sessions(settings) as registry:
            yield registry
        return
    remote = RemoteSessions(
        settings, Redis.from_url(settings.redis_url, socket_connect_timeout=2, decode_responses=True)
    )
    try:
        yield remote
    finally:
        await remote.aclose()
