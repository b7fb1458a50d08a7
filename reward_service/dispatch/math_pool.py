"""The math verifier processes: one pool for the API's embedded dispatcher and for RQ math workers.

A few long-lived processes with math-verify and SymPy imported take answers a few
per message and send every verdict back as soon as they have it. A scheduler
thread owns the processes, so it always knows which answer each one is on and
since when: one still on the same answer `budget + grace` seconds later (a
C-level hang SIGALRM cannot stop) is killed and replaced, that answer is
`timeout`, and the rest of its answers go back in line. A process that dies
(the memory limit) costs its current answer an `error`.

Callers submit from any thread and get a `concurrent.futures.Future` per answer:
the API awaits them on its event loop (`asyncio.wrap_future`), an RQ worker waits
on a chunk's futures in its own thread. A caller that gives up (the request's
deadline, RQ's job timeout) abandons its answers: those no process has taken are
dropped, and a process busy on one is killed and replaced, so a hang nobody
waits for does not hold the pool until its hard timeout. Replacements start in
the background; the scheduler goes on serving the other processes meanwhile. Per answer the dispatching process spends a pickle of a few strings
and one pipe message per batch: much less than a pool that schedules every
answer as its own task (measured with pebble: 0.73 ms of the dispatcher's CPU
per answer, against 2.66 ms to verify a typical one).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import multiprocessing
import resource
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, InvalidStateError
from concurrent.futures import wait as wait_all
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess

from reward_service.verifiers.jobs import MathJob
from reward_service.verifiers.math.verifier import verify_math_answer, warm_up
from reward_service.verifiers.verdict import Verdict

log = logging.getLogger(__name__)

_PRELOAD = ["reward_service.verifiers.math.verifier"]
# Answers per message: fewer round trips, still one verdict per message back.
_BATCH = 4
_START_TIMEOUT_S = 120.0


VerifyAnswer = Callable[[str, str, float, int | None], Verdict]


def _serve(conn: Connection, verify: VerifyAnswer, budget_s: float, memory_mb: int) -> None:
    """A verifier process: verify (id, answer, ground truth) triples, one verdict message each."""
    if memory_mb > 0:
        # A blown-up expression fails its own answer with MemoryError, not the host.
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    warm_up()
    conn.send("ready")
    while True:
        try:
            batch = conn.recv()
        except (EOFError, OSError):
            return  # the pool is gone
        for task_id, answer, ground_truth, decimals in batch:
            try:
                verdict = verify(answer, ground_truth, budget_s, decimals)
            except MemoryError:
                verdict = Verdict("error", None, {"error": f"verification needed more than {memory_mb} MiB"})
            except Exception as exc:
                verdict = Verdict("error", None, {"error": f"verifier failed: {type(exc).__name__}: {exc}"})
            conn.send((task_id, verdict))


@dataclass
class _Task:
    id: int
    job: MathJob
    future: Future[Verdict]
    started: bool = False  # its future is running: sent to a process at least once
    abandoned: bool = False  # nobody waits for it any more


@dataclass
class _Process:
    process: BaseProcess
    conn: Connection
    ready: bool = False  # it has warmed up and said so
    since: float = field(default_factory=time.monotonic)  # when it started on assigned[0] (or was spawned)
    assigned: deque[_Task] = field(default_factory=deque)


class MathPool:
    """``processes`` math verifier processes behind a scheduler thread; `submit` from anywhere."""

    def __init__(
        self,
        processes: int,
        budget_s: float,
        kill_grace_s: float,
        memory_mb: int = 0,
        verify: VerifyAnswer = verify_math_answer,
    ) -> None:
        """``verify(answer, ground_truth, budget_s, decimals)`` runs in the processes: an importable function."""
        # forkserver: processes never inherit the caller's threads or event loop, and a
        # replacement forks from a server that already imported SymPy.
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(_PRELOAD)
        self.size = processes
        self._budget_s = budget_s
        self.hard_timeout_s = budget_s + kill_grace_s
        self._memory_mb = memory_mb
        self._verify = verify
        self._processes: list[_Process] = []
        self._waiting: deque[_Task] = deque()
        self._tasks: dict[Future[Verdict], _Task] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count()
        self._outstanding = 0
        self._wake_read, self._wake_write = self._context.Pipe(duplex=False)
        self._wake_sent = False
        self._closing = False
        self._thread: threading.Thread | None = None

    @property
    def pending(self) -> int:
        """Answers submitted and not yet answered or abandoned (waiting or being verified)."""
        return self._outstanding

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Start and warm every process (blocking: seconds), then the scheduler."""
        self._processes = [self._spawn() for _ in range(self.size)]
        for proc in list(self._processes):
            try:
                started = proc.conn.poll(_START_TIMEOUT_S) and proc.conn.recv() == "ready"
            except (EOFError, OSError):
                started = False
            if not started:
                self.close()
                raise RuntimeError(f"a math verifier process did not start (exit code {proc.process.exitcode})")
            proc.ready = True
        self._thread = threading.Thread(target=self._schedule, name="math-pool", daemon=True)
        self._thread.start()

    def close(self) -> None:
        with self._lock:
            self._closing = True
        self._wake()
        if self._thread is not None:
            self._thread.join(10)
        for proc in self._processes:
            self._kill(proc)
        closed = Verdict("error", None, {"error": "the math verifier pool closed before this answer was verified"})
        for task in [*self._waiting, *(t for p in self._processes for t in p.assigned)]:
            self._resolve(task, closed)
        self._processes = []
        self._waiting.clear()

    # -- submitting ------------------------------------------------------------------------

    def submit(self, job: MathJob) -> Future[Verdict]:
        future: Future[Verdict] = Future()
        with self._lock:
            if self._closing:
                future.set_result(Verdict("error", None, {"error": "the math verifier pool is closed"}))
                return future
            task = _Task(next(self._ids), job, future)
            self._waiting.append(task)
            self._tasks[future] = task
            self._outstanding += 1
        # Counted down once per answer, whether it is verified, fails or is abandoned.
        future.add_done_callback(self._done)
        self._wake()
        return future

    def abandon(self, futures: Sequence[Future[Verdict]]) -> None:
        """Nobody waits for these any more: drop them, stopping a process busy on one."""
        gone = Verdict("timeout", None, {"error": "abandoned by its caller (deadline)"})
        with self._lock:
            tasks = [self._tasks[f] for f in futures if f in self._tasks]
            for task in tasks:
                task.abandoned = True
        for task in tasks:
            if not task.future.cancel():
                self._resolve(task, gone)  # running: the scheduler stops its process
        self._wake()

    def verify(self, jobs: Sequence[MathJob]) -> list[Verdict]:
        """Blocking: one verdict per job, in order (an RQ worker's chunk)."""
        futures = [self.submit(job) for job in jobs]
        try:
            wait_all(futures)
        except BaseException:
            # Interrupted (RQ's job timeout): the rest of the chunk is nobody's any more.
            self.abandon(futures)
            raise
        return [future.result() for future in futures]

    def _done(self, future: Future[Verdict]) -> None:
        with self._lock:
            self._outstanding -= 1
            self._tasks.pop(future, None)

    def _wake(self) -> None:
        # At most one wake-up byte in flight: submitting thousands of answers never fills the pipe.
        with self._lock:
            if self._wake_sent:
                return
            self._wake_sent = True
        try:
            self._wake_write.send_bytes(b"")
        except OSError:
            pass  # closing

    # -- the scheduler thread --------------------------------------------------------------

    def _schedule(self) -> None:
        while True:
            with self._lock:
                if self._closing:
                    return
            try:
                self._step()
            except Exception:
                # A bug here must not leave callers waiting forever on futures nobody resolves.
                log.exception("math pool scheduler failed; failing the answers it held")
                failed = Verdict("error", None, {"error": "the math verifier pool failed; see the server log"})
                for proc in self._processes:
                    while proc.assigned:
                        self._resolve(proc.assigned.popleft(), failed)

    def _step(self) -> None:
        if not self._processes:
            self._fail_waiting("no math verifier process could be started; see the server log")
        for proc in [p for p in self._processes if p.assigned and p.assigned[0].abandoned]:
            self._replace(proc, None)
        idle = [p for p in self._processes if p.ready and not p.assigned]
        for proc in idle:
            self._feed(proc, len(idle))
        watched = {proc.conn: proc for proc in self._processes if proc.assigned or not proc.ready}
        now = time.monotonic()
        deadlines = [p.since + (self.hard_timeout_s if p.ready else _START_TIMEOUT_S) for p in watched.values()]
        timeout = max(0.0, min(deadlines) - now) if deadlines else None
        for ready in wait([self._wake_read, *watched], timeout=timeout):
            if ready is self._wake_read:
                with self._lock:
                    self._wake_sent = False
                self._wake_read.recv_bytes()
                continue
            proc = watched[ready]  # type: ignore[index]
            if proc in self._processes:  # not replaced by an earlier message of this round
                self._receive(proc)
        now = time.monotonic()
        for proc in list(self._processes):
            if proc.ready and proc.assigned and now - proc.since > self.hard_timeout_s:
                message = f"verification did not finish in {self.hard_timeout_s:g} s; its worker was replaced"
                self._replace(proc, Verdict("timeout", None, {"error": message}))
            elif not proc.ready and now - proc.since > _START_TIMEOUT_S:
                log.error("a math verifier process did not start in %.0f s; the pool has one fewer", _START_TIMEOUT_S)
                self._kill(proc)
                self._processes.remove(proc)

    def _feed(self, proc: _Process, idle: int) -> None:
        batch: list[_Task] = []
        with self._lock:
            # Few answers waiting: one each to the idle processes (an answer never waits
            # behind another that may hang); many: a few per message, fewer round trips.
            size = max(1, min(_BATCH, len(self._waiting) // max(1, idle)))
            while self._waiting and len(batch) < size:
                task = self._waiting.popleft()
                if task.abandoned:
                    continue
                if task.started or task.future.set_running_or_notify_cancel():
                    task.started = True
                    batch.append(task)
                # else: cancelled before any process took it, dropped
        if batch:
            proc.assigned.extend(batch)
            proc.since = time.monotonic()
            try:
                proc.conn.send([(task.id, task.job.answer, task.job.ground_truth, task.job.decimals) for task in batch])
            except OSError:
                code = proc.process.exitcode
                self._replace(proc, Verdict("error", None, {"error": f"verifier process died (exit code {code})"}))

    def _receive(self, proc: _Process) -> None:
        try:
            message = proc.conn.recv()
        except (EOFError, OSError):
            code = proc.process.exitcode
            if not proc.ready:
                # Not retried: a process that cannot start (an import error, no memory) would not the next time.
                log.error("a math verifier process died while starting (exit code %s); the pool has one fewer", code)
                self._kill(proc)
                self._processes.remove(proc)
                return
            self._replace(proc, Verdict("error", None, {"error": f"verifier process died (exit code {code})"}))
            return
        if not proc.ready:
            proc.ready = message == "ready"
            return
        task_id, verdict = message
        task = proc.assigned.popleft()
        if task.id != task_id:  # cannot happen with one reply per answer, in order
            log.error("math verifier replied for answer %s while on %s; replacing it", task_id, task.id)
            proc.assigned.appendleft(task)
            self._replace(proc, Verdict("error", None, {"error": "verifier process lost track; it was replaced"}))
            return
        self._resolve(task, verdict)
        proc.since = time.monotonic()

    def _replace(self, proc: _Process, verdict: Verdict | None) -> None:
        """Kill ``proc`` and start another; its current answer gets ``verdict`` (none: abandoned),
        its other answers go back in line first."""
        if proc.assigned:
            current = proc.assigned.popleft()
            if verdict is not None:
                self._resolve(current, verdict)
        with self._lock:
            # Their futures already run: put them back as they are, to be sent again.
            self._waiting.extendleft(reversed([t for t in proc.assigned if not t.abandoned]))
        proc.assigned.clear()
        self._kill(proc)
        self._processes[self._processes.index(proc)] = self._spawn()

    def _fail_waiting(self, message: str) -> None:
        with self._lock:
            tasks = list(self._waiting)
            self._waiting.clear()
        for task in tasks:
            self._resolve(task, Verdict("error", None, {"error": message}))

    @staticmethod
    def _resolve(task: _Task, verdict: Verdict) -> None:
        # The scheduler and an abandoning caller may race to settle the same answer.
        with contextlib.suppress(InvalidStateError):
            task.future.set_result(verdict)

    @staticmethod
    def _kill(proc: _Process) -> None:
        proc.process.kill()
        proc.process.join()
        proc.conn.close()

    def _spawn(self) -> _Process:
        """A new process, started but not yet warm: it says "ready" when it is."""
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_serve,
            args=(child, self._verify, self._budget_s, self._memory_mb),
            daemon=True,
            name="math-verifier",
        )
        process.start()
        child.close()
        return _Process(process, parent)
