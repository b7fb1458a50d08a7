"""Limits: one data object that travels from the item to the driver unchanged."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class Limits:
    """What one run of a program may use. Each verdict names the limit that fired."""

    time_s: float = 2.0
    memory_mb: int = 256
    output_kb: int = 1024
    file_kb: int = 8192
    processes: int = 64

    def capped_by(self, maxima: Limits) -> Limits:
        return Limits(
            time_s=min(self.time_s, maxima.time_s),
            memory_mb=min(self.memory_mb, maxima.memory_mb),
            output_kb=min(self.output_kb, maxima.output_kb),
            file_kb=min(self.file_kb, maxima.file_kb),
            processes=min(self.processes, maxima.processes),
        )

    def with_overrides(self, **values: Any) -> Limits:
        return replace(self, **{name: value for name, value in values.items() if value is not None})
