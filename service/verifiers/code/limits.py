"""An item's sandbox limits: the server's defaults, the item's overrides, the server's caps."""

from __future__ import annotations

from sandbox import Limits
from service.schemas import CodeLimits
from service.settings import Settings


def code_maxima(settings: Settings) -> Limits:
    return Limits(
        time_s=settings.code_max_time_s,
        memory_mb=settings.code_max_memory_mb,
        output_kb=settings.code_max_output_kb,
        processes=settings.code_max_processes,
    )


def item_limits(requested: CodeLimits | None, settings: Settings) -> Limits:
    limits = Limits(
        time_s=settings.code_time_s,
        memory_mb=settings.code_memory_mb,
        output_kb=settings.code_output_kb,
        processes=settings.code_max_processes,
    )
    if requested is not None:
        limits = limits.with_overrides(**requested.model_dump())
    return limits.capped_by(code_maxima(settings))
