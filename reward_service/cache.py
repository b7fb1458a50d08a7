"""The result cache: decided verdicts reused across requests.

One interface, two homes: `MemoryCache` (an LRU inside the API process, the
embedded default) and `reward_service.redis_cache.RedisCache` (shared by every API
replica, chosen when Redis is configured). Both take the pipeline's key tuples
and store them under `cache_key`, a stable string, so the same input maps to the
same entry in every process and after every restart.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Hashable, Mapping, Sequence
from typing import Protocol

from reward_service.verifiers.verdict import Verdict

# Statuses that are facts about the answer; timeouts and our own errors may not recur.
CACHEABLE_STATUSES = frozenset({"correct", "wrong", "accepted", "wrong_answer", "compile_error"})
# A code verdict is a fact only if every test's own verdict is: one test that hit the
# time or memory limit (which a loaded machine can cause) keeps the whole item out.
_DETERMINISTIC_TEST_STATUSES = frozenset({"accepted", "wrong_answer"})


class VerdictCache(Protocol):
    """Batched, async lookups: one round trip per batch whatever the store."""

    async def get_many(self, keys: Sequence[Hashable]) -> dict[Hashable, Verdict]:
        """The cached verdicts among ``keys``; a key that is absent is simply missing from the answer."""
        ...

    async def put_many(self, verdicts: Mapping[Hashable, Verdict]) -> None:
        """Remember the cacheable ones among ``verdicts``; never raises for the store's own failure."""
        ...

    async def aclose(self) -> None: ...


def cache_key(key: Hashable) -> str:
    """A stable string for a pipeline key tuple (which includes the verifier version).

    Python's hash() is salted per process; a digest of the canonical JSON is the
    same in every replica and worker, and short enough for Redis.
    """
    canonical = json.dumps(key, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=repr)
    return hashlib.sha256(canonical.encode()).hexdigest()


def cacheable(verdict: Verdict) -> bool:
    if verdict.status not in CACHEABLE_STATUSES:
        return False
    tests = verdict.details.get("tests", [])
    return all(test.get("status") in _DETERMINISTIC_TEST_STATUSES for test in tests)


class MemoryCache:
    """A bounded LRU of verdicts inside this process (capacity 0 disables it).

    Keyed by the key tuples themselves: within one process their hash is stable
    and cheaper than a digest.
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[Hashable, Verdict] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    async def get_many(self, keys: Sequence[Hashable]) -> dict[Hashable, Verdict]:
        found: dict[Hashable, Verdict] = {}
        for key in keys:
            verdict = self._entries.get(key)
            if verdict is not None:
                self._entries.move_to_end(key)
                found[key] = verdict
        return found

    async def put_many(self, verdicts: Mapping[Hashable, Verdict]) -> None:
        if self.capacity <= 0:
            return
        for key, verdict in verdicts.items():
            if not cacheable(verdict):
                continue
            self._entries[key] = verdict
            self._entries.move_to_end(key)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)

    async def aclose(self) -> None:
        self._entries.clear()
