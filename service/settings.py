"""Deployment settings, read once from the environment (prefix ``REWARD_``)."""

from __future__ import annotations

import os
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_workers() -> int:
    return max(1, os.cpu_count() or 1)


class Settings(BaseSettings):
    """Every knob of the service. Each field maps to ``REWARD_<FIELD>`` in upper case."""

    model_config = SettingsConfigDict(env_prefix="REWARD_", extra="ignore")

    host: str = Field("127.0.0.1", description="Address `reward-service serve` binds to.")
    port: int = Field(8000, description="Port `reward-service serve` listens on.")
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"

    workers: int = Field(
        default_factory=_default_workers,
        ge=1,
        description="Verifier worker processes of the embedded pool (default: one per CPU).",
    )
    math_timeout_s: float = Field(
        5.0,
        gt=0,
        description="Wall-clock budget for parsing and comparing one math answer.",
    )
    math_kill_grace_s: float = Field(
        1.0,
        ge=0,
        description="Extra time after math_timeout_s before a stuck worker process is killed and replaced.",
    )
    worker_memory_mb: int = Field(
        2048, ge=0, description="Address-space limit of each verifier worker process in MiB (0: no limit)."
    )
    math_default_mode: Literal["boxed", "any"] = Field(
        "any",
        description="Answer extraction when an item gives no `mode`: `boxed` reads only \\boxed/\\fbox "
        "(and <answer> tags); `any` also accepts 'the answer is ...' and, if enabled, the last number.",
    )
    last_number_fallback: bool = Field(
        True,
        description="In `any` mode, fall back to the last number of the response when nothing else marks the answer.",
    )

    max_body_bytes: int = Field(64 * 1024 * 1024, ge=1024, description="Largest request body accepted (413 above).")
    max_items: int = Field(16384, ge=1, description="Most items in one /score request (413 above).")
    max_response_chars: int = Field(
        400_000, ge=1, description="Longest `response` text scored; longer items get an `error` result."
    )
    result_cache_size: int = Field(
        200_000, ge=0, description="Verdicts kept in the in-process result cache (0 disables it)."
    )
