"""A code worker's view of the problem store: tests read once per content hash and kept.

The same reader (problems/store.py, its blocking front) and the same typed-problem cache
(problems/resolve.py) as the API's; a queued item names its problem's content hash, so a
problem this worker has typed costs no read at all.
"""

from __future__ import annotations

from reward_service.exceptions import ProblemFetchError
from reward_service.problems.resolve import TypedProblems
from reward_service.problems.store import BlockingRedisProblems
from reward_service.verifiers.code.kinds import AnyTests
from reward_service.verifiers.jobs import ProblemRef

_KEPT = 256


class WorkerProblems:
    def __init__(self, redis_url: str, capacity: int = _KEPT) -> None:
        self._store = BlockingRedisProblems(redis_url)
        self._typed = TypedProblems(capacity)
        self.fetches = 0  # store reads, for the tests and the logs

    def tests_for(self, ref: ProblemRef) -> AnyTests:
        """Blocking: the problem's typed tests, from memory when this worker has seen its hash."""
        known = self._typed.get(ref.id, ref.hash)
        if known is not None:
            return known.tests
        stored = self._store.get_many([ref.id]).get(ref.id)
        self.fetches += 1
        if stored is None:
            raise ProblemFetchError(f"the stored problem {ref.id!r} was deleted while this item was queued")
        if stored.hash != ref.hash:
            raise ProblemFetchError(f"the stored problem {ref.id!r} was stored anew while this item was queued")
        return self._typed.typed(stored).tests

    def close(self) -> None:
        self._store.close()
