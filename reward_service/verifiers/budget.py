"""A soft time budget for pure-Python work inside a verifier worker process.

SIGALRM interrupts SymPy between bytecodes, which ends most slow verifications
without losing the (warm) worker. It cannot interrupt one long C call such as a
huge integer power: the dispatcher's hard kill of the whole process covers that.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from reward_service.exceptions import BudgetExceeded


def _raise_budget_exceeded(signum: int, frame: object) -> None:
    raise BudgetExceeded()


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    # Signals only reach the main thread; elsewhere the hard kill is the only bound.
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _raise_budget_exceeded)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
