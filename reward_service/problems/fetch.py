"""A code worker's view of the problem store: tests read once per content hash and kept."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import cast

from redis import Redis

from reward_service.problems.model import ResolvedProblem, StoredProblem
from reward_service.problems.store import KEY_PREFIX
from reward_service.verifiers.code.kinds import CodeTests
from reward_service.verifiers.jobs import ProblemRef

_KEPT = 256


class ProblemFetchError(Exception):
    """The problem a queued item names is gone, or was stored anew since the item was planned."""


class WorkerProblems:
    def __init__(self, redis_url: str, capacity: int = _KEPT) -> None:
        self._redis = Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=30, decode_responses=True)
        self._tests: OrderedDict[str, CodeTests] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()
        self.fetches = 0  # store reads, for the tests and the logs

    def tests_for(self, ref: ProblemRef) -> CodeTests:
        """Blocking: the problem's typed tests, from memory when this worker has seen its hash."""
        with self._lock:
            known = self._tests.get(ref.hash)
            if known is not None:
                self._tests.move_to_end(ref.hash)
                return known
        digest, body = self._redis.hmget(KEY_PREFIX + ref.id, ["hash", "body"])
        self.fetches += 1
        if digest is None or body is None:
            raise ProblemFetchError(f"the stored problem {ref.id!r} was deleted while this item was queued")
        if digest != ref.hash:
            raise ProblemFetchError(f"the stored problem {ref.id!r} was stored anew while this item was queued")
        tests = ResolvedProblem.of(StoredProblem(ref.id, cast(str, digest), cast(str, body))).tests  # decoded
        with self._lock:
            self._tests[ref.hash] = tests
            while len(self._tests) > self._capacity:
                self._tests.popitem(last=False)
        return tests

    def close(self) -> None:
        self._redis.close()
