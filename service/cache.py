"""A bounded in-process cache of decided verdicts (the embedded default's result cache)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

from service.verifiers.verdict import Verdict

# Statuses that are facts about the answer; timeouts and our own errors may not recur.
CACHEABLE_STATUSES = frozenset({"correct", "wrong"})


class ResultCache:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[Hashable, Verdict] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> Verdict | None:
        verdict = self._entries.get(key)
        if verdict is not None:
            self._entries.move_to_end(key)
        return verdict

    def put(self, key: Hashable, verdict: Verdict) -> None:
        if self.capacity <= 0 or verdict.status not in CACHEABLE_STATUSES:
            return
        self._entries[key] = verdict
        self._entries.move_to_end(key)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)
