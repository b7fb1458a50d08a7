"""`reward-service worker`: an RQ worker that verifies chunks with a warm process pool.

The worker process builds its verifier once (math: the `MathPool` with
math-verify and SymPy imported; code: a `CodeRunner` with its warm
sandboxes), registers with RQ only then, and keeps it for every chunk it takes. Chunks run in this process (`SimpleWorker`: forking a work horse
per job would throw the pool away); the pool's own processes give each item its
hard timeout.

`ChunkWorker` changes two things about RQ's SimpleWorker, both through RQ's own
hooks:
- it heartbeats while a chunk runs (a thread calling `maintain_heartbeats`,
  what RQ's forking Worker does from its monitor loop), and
- its heartbeats promise only `rq_lease_s` seconds, not RQ's job timeout + 60 s,
  so a SIGKILLed worker's chunk is found abandoned within seconds and retried
  on another worker (see `reward_service.dispatch.rq.janitor`).
Losing Redis does not end the worker: it keeps its pool and reconnects.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from redis import Redis
from redis.client import Pipeline
from redis.exceptions import RedisError
from rq import Queue, SimpleWorker, worker_registration
from rq.executions import Execution
from rq.job import Job as RQJob
from rq.worker import WorkerStatus

from reward_service.dispatch.rq.chunk_job import build_verifier, serving_chunks
from reward_service.dispatch.rq.keys import TASK_QUEUES
from reward_service.dispatch.sandbox_report import SandboxReport, publish, withdraw
from reward_service.logging_setup import bound_request_id, configure_logging
from reward_service.settings import Settings

log = logging.getLogger(__name__)

_RECONNECT_MAX_WAIT_S = 5.0


class ChunkWorker(SimpleWorker):
    lease_s = 10
    # RQ backs off up to 60 s between reconnects; after a Redis restart we want minutes less.
    max_connection_wait_time = _RECONNECT_MAX_WAIT_S
    stop_signalled = False
    sandbox_report: SandboxReport | None = None

    def get_heartbeat_ttl(self, job: RQJob, working_time: float = 0.0) -> int:
        return self.lease_s

    def execute_job(self, job: RQJob, queue: Queue) -> None:
        execution = self.prepare_execution(job)
        finished = threading.Event()
        beats = threading.Thread(target=self._beat, args=(job, execution, finished), daemon=True)
        beats.start()
        try:
            with bound_request_id(job.meta.get("request_id")):
                self.perform_job(job, queue, execution)
        finally:
            finished.set()
            beats.join()
        self.set_state(WorkerStatus.IDLE)

    def handle_job_success(self, job: RQJob, queue: Queue, started_job_registry: Any, execution: Execution) -> None:
        self._forget_other_executions(job, execution)
        super().handle_job_success(job, queue, started_job_registry, execution)

    def handle_job_failure(  # type: ignore[no-untyped-def]
        self, job: RQJob, queue: Queue, started_job_registry=None, exc_string="", execution: Execution | None = None
    ) -> None:
        if execution is not None:
            self._forget_other_executions(job, execution)
        super().handle_job_failure(job, queue, started_job_registry, exc_string, execution)

    def _forget_other_executions(self, job: RQJob, current: Execution) -> None:
        # A chunk retried after its worker died still lists the dead execution in its
        # ExecutionRegistry for 60 s after that execution's own hash expired; RQ 3.0
        # fails the finished retry when it fetches it ("Execution ... not found in
        # Redis"). The job is finishing here, so every other execution of it is over:
        # unlist them all just before RQ looks, whether their hash expired yet or not.
        others = [i for i in job.execution_registry.get_execution_ids() if i != current.id]
        if others:
            self.connection.zrem(job.execution_registry.key, *others)

    def _beat(self, job: RQJob, execution: Execution, finished: threading.Event) -> None:
        while not finished.wait(self.job_monitoring_interval):
            try:
                self.maintain_heartbeats(job, execution)
            except RedisError as exc:
                self.log.warning("heartbeat for job %s failed: %s", job.id, exc)

    def heartbeat(self, timeout: int | None = None, pipeline: Pipeline | None = None) -> None:
        super().heartbeat(timeout, pipeline)
        self._publish_report(pipeline if pipeline is not None else self.connection)
        if pipeline is None and self.birth_date is not None:
            # A Redis that restarted empty forgot this worker; register again so it
            # counts in `reward_workers` and RQ's dashboards.
            if not self.connection.sismember(self.redis_workers_keys, self.key):
                self.log.info("Worker %s: registering again after Redis lost its registration", self.name)
                with self.connection.pipeline() as again:
                    again.hset(self.key, mapping=self.serialize())
                    worker_registration.register(self, again)
                    again.expire(self.key, self.worker_ttl + 60)
                    again.execute()

    def register_birth(self) -> None:
        super().register_birth()
        self._publish_report(self.connection)

    def register_death(self) -> None:
        if self.sandbox_report is not None:
            with contextlib.suppress(RedisError):
                withdraw(self.connection, self.name)
        super().register_death()

    def _publish_report(self, target: Redis | Pipeline) -> None:
        # GET /languages on the API reads what the code workers' sandboxes run from here.
        if self.sandbox_report is not None:
            publish(target, self.name, self.sandbox_report, self.worker_ttl + 60)

    def request_stop(self, signum, frame):  # type: ignore[no-untyped-def]
        self.stop_signalled = True
        super().request_stop(signum, frame)


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def run_worker(task: str, processes: int | None, settings: Settings) -> int:
    """Serve ``task``'s queue until SIGINT/SIGTERM; returns the exit status."""
    configure_logging(settings)
    if not settings.redis_url:
        log.error("reward-service worker needs Redis: set REWARD_REDIS_URL (or REDIS_URL)")
        return 2
    connection = Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=30)
    try:
        connection.ping()
    except RedisError as exc:
        # At start-up an unreachable Redis is a configuration problem: say so once and stop.
        # Once serving, losing Redis is an outage, and the loop below waits it out.
        log.error("reward-service worker: Redis at %s is unreachable (%s)", _without_password(settings.redis_url), exc)
        return 1
    started = time.perf_counter()
    with serving_chunks(build_verifier(settings, task, processes)) as verifier:
        report = verifier.sandbox_report()
        log.info(
            "worker for %s warm in %.1f s (pid %d)",
            TASK_QUEUES[task],
            time.perf_counter() - started,
            os.getpid(),
        )
        wait_s = 1.0
        while True:
            worker = None
            try:
                worker = ChunkWorker(
                    [Queue(TASK_QUEUES[task], connection=connection)],
                    connection=connection,
                    worker_ttl=max(30, 3 * settings.rq_lease_s),
                    job_monitoring_interval=max(1, settings.rq_lease_s // 4),
                )
                worker.lease_s = settings.rq_lease_s
                worker.sandbox_report = report
                worker.work(logging_level=settings.log_level.upper())
                if worker.stop_signalled:
                    return 0
                log.warning("RQ worker loop ended unexpectedly; starting it again")
            except RedisError as exc:
                log.warning("Redis unreachable (%s); reconnecting in %.0f s", exc, wait_s)
                if worker is not None and worker.stop_signalled:
                    return 0
            time.sleep(wait_s)
            wait_s = min(wait_s * 2, _RECONNECT_MAX_WAIT_S)
