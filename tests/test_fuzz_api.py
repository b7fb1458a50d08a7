"""Fuzz the HTTP API from its own OpenAPI schema (schemathesis), in-process, bounded in count and time.

Every generated request, valid or not, must get an answer within a time budget
and never a 5xx: bad input is a 4xx naming the problem, one bad item an `error`
result. The budget per request is far above a normal answer's time, so a
timeout here means a hang, not a slow machine.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from conftest import make_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi

from reward_service.app import create_app

# Count bound: random examples per operation, on top of schemathesis' coverage phase (a finite,
# deterministic set of boundary and negative cases derived from the schema: a few hundred requests in all).
EXAMPLES_PER_OPERATION = 20
# Time bound per request: a hang shows up as a failed test, not a stuck CI job.
REQUEST_TIMEOUT_S = 15.0


APP = create_app(make_settings(workers=2, max_items=64, max_body_bytes=1024 * 1024))
# The schema is the app's own, read without starting it; the worker pool starts with the first request.
schema = schemathesis.openapi.from_dict(APP.openapi())


@pytest.fixture(scope="module", autouse=True)
def _stop_app_after_the_module() -> Iterator[None]:
    yield
    asgi.shutdown_lifespans()  # the lifespan schemathesis started: stop the worker pool


@schema.parametrize()
@pytest.mark.timeout(120)  # per operation: the whole-run bound if something hangs between requests
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,  # the per-request timeout below is the time bound
    suppress_health_check=list(HealthCheck),
    derandomize=True,  # the same cases every run: a CI failure reproduces locally
    database=None,
)
def test_no_server_errors_and_no_hangs(case: schemathesis.Case) -> None:
    response = case.call(app=APP, timeout=REQUEST_TIMEOUT_S)
    case.validate_response(response, checks=[not_a_server_error])
