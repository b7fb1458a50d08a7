"""Extraction results kept for items seen before: a resent batch skips straight to the cache.

Planning an item (finding the answer in a long completion, the exact fast paths)
costs about 70 us; for a batch that comes back whole (a retried request, an
evaluation rerun, the same completions scored again) that is most of what is
left once every verdict comes from the result cache. A plan depends only on the
item (less its id), the request options and this process's settings, so it is
kept here, in the API process, under exactly those.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel

PlanT = TypeVar("PlanT")

# Eight GRPO-sized batches of 8,192; a plan is about a kilobyte.
DEFAULT_CAPACITY = 65536


class PlanMemo:
    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self._plans: OrderedDict[tuple[Hashable, str], Any] = OrderedDict()
        # Batches are planned in worker threads, several at once.
        self._lock = threading.Lock()

    def plan_batch(
        self,
        items: Sequence[BaseModel],
        options: BaseModel,
        plan: Callable[[Sequence[BaseModel]], list[PlanT]],
        reusable: Callable[[PlanT], bool] = lambda _: True,
    ) -> list[PlanT]:
        if self.capacity <= 0:
            return plan(items)
        context = options.model_dump_json()
        keys = [(_item_key(item), context) for item in items]
        with self._lock:
            found = [self._plans.get(key) for key in keys]
            for key, known in zip(keys, found, strict=False):
                if known is not None:
                    self._plans.move_to_end(key)
        missing = [i for i, known in enumerate(found) if known is None]
        fresh = plan([items[i] for i in missing]) if missing else []
        with self._lock:
            for i, planned in zip(missing, fresh, strict=False):
                found[i] = planned
                if reusable(planned):
                    self._plans[keys[i]] = planned
            while len(self._plans) > self.capacity:
                self._plans.popitem(last=False)
        return found  # type: ignore[return-value]


def _item_key(item: BaseModel) -> Hashable:
    """An item less its id, as a key. A math item's fields are plain strings: a tuple of them
    costs a tenth of serializing the item; items with nested fields (a code item's tests) are
    serialized."""
    fields = tuple((name, value) for name, value in item.__dict__.items() if name != "id")
    if all(value is None or isinstance(value, (str, int, float, bool)) for _, value in fields):
        return (type(item).__name__, fields)
    return item.model_dump_json(exclude={"id"})
