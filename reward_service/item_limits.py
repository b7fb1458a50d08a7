"""Per-item limits, decided in the API process before any work is queued.

Size limits answer one item: it gets an `error` result naming the limit while the
rest of the batch is scored (request-wide limits answer the whole request: 413
for body bytes and item count). Sandbox limits are the server's defaults, the
item's overrides, and the server's caps.
"""

from __future__ import annotations

from reward_sandbox import Limits
from reward_service.schemas.scoring import CodeLimits
from reward_service.settings import Settings
from reward_service.verifiers.code.kinds import AnyTests


def response_size_error(response: str, settings: Settings) -> str | None:
    if len(response) > settings.max_response_chars:
        return (
            f"response has {len(response)} characters; this server scores at most "
            f"{settings.max_response_chars} (REWARD_MAX_RESPONSE_CHARS)"
        )
    return None


def tests_size_error(tests: AnyTests, settings: Settings) -> str | None:
    """Why these tests are too large to run, or None when they are within every limit."""
    cases = tests.case_count()
    if cases > settings.max_test_cases:
        return f"tests have {cases} cases; this server runs at most {settings.max_test_cases} per item (REWARD_MAX_TEST_CASES)"
    size = tests.size_chars()
    if size > settings.max_tests_chars:
        return (
            f"tests are {size} characters; this server accepts at most {settings.max_tests_chars} "
            "per item (REWARD_MAX_TESTS_CHARS)"
        )
    return None


def item_limits(requested: CodeLimits | None, settings: Settings) -> Limits:
    limits = Limits(
        time_s=settings.code_time_s,
        memory_mb=settings.code_memory_mb,
        output_kb=settings.code_output_kb,
        processes=settings.code_max_processes,
    )
    if requested is not None:
        limits = limits.with_overrides(**requested.model_dump())
    return limits.capped_by(settings.code_maxima())
