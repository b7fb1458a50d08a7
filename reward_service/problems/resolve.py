"""The problems a batch names, looked up once per request and typed once per content hash;
and that typed-problem cache itself, which a code worker uses too (problems/fetch.py)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable

from reward_service.problems.model import ResolvedProblem, StoredProblem
from reward_service.problems.store import ProblemStore

# Typed tests of this many problems stay in memory (a GRPO step uses a few hundred).
_TYPED = 1024


class TypedProblems:
    """Problems with their tests typed, by content hash: a problem is parsed once however
    many items and requests name it. Thread-safe (a worker reads from several threads)."""

    def __init__(self, capacity: int = _TYPED) -> None:
        self._typed: OrderedDict[str, ResolvedProblem] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    def get(self, problem_id: str, content_hash: str) -> ResolvedProblem | None:
        with self._lock:
            known = self._typed.get(content_hash)
            if known is None or known.id != problem_id:
                return None
            self._typed.move_to_end(content_hash)
            return known

    def typed(self, problem: StoredProblem) -> ResolvedProblem:
        known = self.get(problem.id, problem.hash)
        if known is not None:
            return known
        resolved = ResolvedProblem.of(problem)
        with self._lock:
            self._typed[problem.hash] = resolved
            while len(self._typed) > self._capacity:
                self._typed.popitem(last=False)
        return resolved


class ProblemResolver:
    def __init__(self, store: ProblemStore, capacity: int = _TYPED) -> None:
        self.store = store
        self._typed = TypedProblems(capacity)

    async def resolve(self, ids: Iterable[str]) -> dict[str, ResolvedProblem]:
        """The known problems among ``ids``: one store round trip, typed tests reused by hash."""
        wanted = set(ids)
        if not wanted:
            return {}
        stored = await self.store.get_many(wanted)
        return {problem_id: self._typed.typed(problem) for problem_id, problem in stored.items()}
