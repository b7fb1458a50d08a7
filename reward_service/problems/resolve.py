"""The problems a batch names, looked up once per request and typed once per content hash."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable

from reward_service.problems.model import ResolvedProblem, StoredProblem
from reward_service.problems.store import ProblemStore

# Typed tests of this many problems stay in memory (a GRPO step uses a few hundred).
_TYPED = 1024


class ProblemResolver:
    def __init__(self, store: ProblemStore, capacity: int = _TYPED) -> None:
        self.store = store
        self._typed: OrderedDict[str, ResolvedProblem] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    async def resolve(self, ids: Iterable[str]) -> dict[str, ResolvedProblem]:
        """The known problems among ``ids``: one store round trip, typed tests reused by hash."""
        wanted = set(ids)
        if not wanted:
            return {}
        stored = await self.store.get_many(wanted)
        return {problem_id: self.typed(problem) for problem_id, problem in stored.items()}

    def typed(self, problem: StoredProblem) -> ResolvedProblem:
        with self._lock:
            known = self._typed.get(problem.hash)
            if known is not None and known.id == problem.id:
                self._typed.move_to_end(problem.hash)
                return known
        resolved = ResolvedProblem.of(problem)
        with self._lock:
            self._typed[problem.hash] = resolved
            while len(self._typed) > self._capacity:
                self._typed.popitem(last=False)
        return resolved
