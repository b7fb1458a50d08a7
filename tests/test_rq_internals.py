"""The RQ internals reward_service/dispatch/rq/worker.py relies on, pinned (issue 11, item 5).

ChunkWorker overrides RQ hooks and touches RQ's execution registry. These are not
RQ's documented API, so a new RQ release may change them silently; this test
names each one and fails first, before the scale-out tests fail in odd ways.
When it fails: read the new RQ's worker.py and executions.py, adapt
reward_service/dispatch/rq/worker.py, then update the pins here.
"""

from __future__ import annotations

import inspect

import rq
from rq import SimpleWorker
from rq.executions import Execution, ExecutionRegistry
from rq.job import Job

from reward_service.dispatch.rq.worker import ChunkWorker

# The release range these internals were read from (pyproject.toml: rq>=3.0,<4).
TESTED = ((3, 0), (4, 0))

# Hook -> the parameter names RQ passes to it.
HOOKS = {
    "get_heartbeat_ttl": ["self", "job", "working_time"],
    "execute_job": ["self", "job", "queue"],
    "handle_job_success": ["self", "job", "queue", "started_job_registry", "execution"],
    "handle_job_failure": ["self", "job", "queue", "started_job_registry", "exc_string", "execution"],
    "heartbeat": ["self", "timeout", "pipeline"],
    "register_birth": ["self"],
    "register_death": ["self"],
    "request_stop": ["self", "signum", "frame"],
}
# What ChunkWorker.execute_job and _beat call on RQ's worker.
WORKER_METHODS = {
    "prepare_execution": ["self", "job"],
    "perform_job": ["self", "job", "queue", "execution"],
    "maintain_heartbeats": ["self", "job", "execution"],
    "set_state": ["self", "state", "pipeline"],
}
WORKER_ATTRIBUTES = ("max_connection_wait_time", "job_monitoring_interval", "worker_ttl", "redis_workers_keys")


def _parameters(function: object) -> list[str]:
    return list(inspect.signature(function).parameters)  # type: ignore[arg-type]


def test_rq_release_is_in_the_tested_range() -> None:
    version = tuple(int(part) for part in rq.__version__.split(".")[:2])
    low, high = TESTED
    assert low <= version < high, f"rq {rq.__version__}: re-read the internals below against it"


def test_the_hooks_chunk_worker_overrides_keep_their_signatures() -> None:
    for name, expected in HOOKS.items():
        assert hasattr(SimpleWorker, name), f"RQ no longer has Worker.{name}"
        assert _parameters(getattr(SimpleWorker, name))[: len(expected)] == expected, name
        assert name in vars(ChunkWorker), f"ChunkWorker no longer overrides {name}: drop it from HOOKS"


def test_the_worker_internals_it_calls_still_exist() -> None:
    for name, expected in WORKER_METHODS.items():
        assert _parameters(getattr(SimpleWorker, name))[: len(expected)] == expected, name
    for attribute in WORKER_ATTRIBUTES:
        assert hasattr(SimpleWorker, attribute) or attribute in inspect.getsource(SimpleWorker.__init__), attribute


def test_the_execution_registry_is_a_sorted_set_of_execution_ids() -> None:
    # _forget_other_executions removes ids from `job.execution_registry.key` with ZREM.
    assert isinstance(inspect.getattr_static(Job, "execution_registry"), property)
    assert callable(ExecutionRegistry.get_execution_ids)
    assert "zrange" in inspect.getsource(ExecutionRegistry.get_execution_ids)
    assert "id" in inspect.signature(Execution).parameters
