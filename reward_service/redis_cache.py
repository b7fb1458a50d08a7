"""The result cache in Redis, shared by every API replica and every batch.

One MGET per batch to read and one pipelined round of SET ... EX to write. A
cache that cannot reach Redis is a cache that misses: scoring goes on (and the
dispatcher reports its own Redis trouble on the items it could not verify).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Hashable, Mapping, Sequence

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from reward_service.cache import cache_key, cacheable
from reward_service.verifiers.verdict import Verdict, verdict_from_json, verdict_to_json

log = logging.getLogger(__name__)

KEY_PREFIX = "reward:verdict:"


class RedisCache:
    def __init__(self, url: str, ttl_s: int) -> None:
        self._redis = aioredis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=10)
        self.ttl_s = ttl_s

    async def get_many(self, keys: Sequence[Hashable]) -> dict[Hashable, Verdict]:
        if not keys:
            return {}
        # Digesting thousands of keys is tens of milliseconds: not on the event loop.
        names = await asyncio.to_thread(_names, keys)
        try:
            values = await self._redis.mget(names)
        except RedisError as exc:
            log.warning("result cache unreachable, scoring without it: %s", exc)
            return {}
        return await asyncio.to_thread(_decode, keys, values)

    async def put_many(self, verdicts: Mapping[Hashable, Verdict]) -> None:
        entries = {key: verdict for key, verdict in verdicts.items() if cacheable(verdict)}
        if not entries:
            return
        encoded = await asyncio.to_thread(_encode, entries)
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for name, value in encoded:
                    pipe.set(name, value, ex=self.ttl_s)
                await pipe.execute()
        except RedisError as exc:
            log.warning("result cache unreachable, verdicts not stored: %s", exc)

    async def aclose(self) -> None:
        await self._redis.aclose()


def _names(keys: Sequence[Hashable]) -> list[str]:
    return [KEY_PREFIX + cache_key(key) for key in keys]


def _decode(keys: Sequence[Hashable], values: Sequence[bytes | str | None]) -> dict[Hashable, Verdict]:
    found: dict[Hashable, Verdict] = {}
    for key, value in zip(keys, values, strict=False):
        if value is None:
            continue
        try:
            found[key] = verdict_from_json(json.loads(value))
        except (ValueError, KeyError, TypeError):
            continue  # an entry we cannot read is a miss, and will be overwritten
    return found


def _encode(entries: Mapping[Hashable, Verdict]) -> list[tuple[str, str]]:
    return [(KEY_PREFIX + cache_key(key), json.dumps(verdict_to_json(v))) for key, v in entries.items()]
