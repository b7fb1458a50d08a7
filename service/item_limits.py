"""Per-item size limits, checked in the API process before any work is queued.

Request-wide limits answer the whole request (413: body bytes, item count);
these answer one item, which gets an `error` result naming the limit while the
rest of the batch is scored.
"""

from __future__ import annotations

import json

from service.schemas import AssertTests, CallTests, CodeItem, MathItem, StdioTests
from service.settings import Settings


def _case_count(tests: StdioTests | AssertTests | CallTests) -> int:
    return 1 if isinstance(tests, AssertTests) else len(tests.cases)


def _tests_chars(tests: StdioTests | AssertTests | CallTests) -> int:
    if isinstance(tests, AssertTests):
        return len(tests.code)
    if isinstance(tests, StdioTests):
        return sum(len(case.input) + len(case.output) for case in tests.cases)
    return sum(len(json.dumps([case.args, case.expected], default=str)) for case in tests.cases)


def item_limit_error(item: MathItem | CodeItem, settings: Settings) -> str | None:
    """Why this item is too large to score, or None when it is within every limit."""
    if len(item.response) > settings.max_response_chars:
        return (
            f"response has {len(item.response)} characters; this server scores at most "
            f"{settings.max_response_chars} (REWARD_MAX_RESPONSE_CHARS)"
        )
    if isinstance(item, CodeItem):
        cases = _case_count(item.tests)
        if cases > settings.max_test_cases:
            return f"tests have {cases} cases; this server runs at most {settings.max_test_cases} per item (REWARD_MAX_TEST_CASES)"
        size = _tests_chars(item.tests)
        if size > settings.max_tests_chars:
            return (
                f"tests are {size} characters; this server accepts at most {settings.max_tests_chars} "
                "per item (REWARD_MAX_TESTS_CHARS)"
            )
    return None
