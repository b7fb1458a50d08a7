"""What a dataset row becomes: a problem body, the id it came with, its known solutions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from reward_service.exceptions import RowError


@dataclass(frozen=True)
class Solution:
    """A solution the dataset ships, in one of this service's language names."""

    language: str
    source: str
    correct: bool


@dataclass(frozen=True)
class Converted:
    source_id: str
    body: dict[str, Any]
    solutions: tuple[Solution, ...] = field(default=())


class DatasetFormat(Protocol):
    """One dataset's public schema: `convert` raises RowError for a row it cannot use."""

    name: str

    def source_id(self, row: Mapping[str, Any]) -> str:
        """The dataset's own id of the row's problem; raises RowError when there is none."""
        ...

    def convert(self, row: Mapping[str, Any]) -> Converted: ...


def required(row: Mapping[str, Any], key: str) -> Any:
    value = row.get(key)
    if value is None or value == "":
        raise RowError(f"no `{key}`")
    return value


class IdField:
    """For a format whose rows name their problem in one field (`id_field`)."""

    id_field: ClassVar[str]

    def source_id(self, row: Mapping[str, Any]) -> str:
        return str(required(row, self.id_field))
