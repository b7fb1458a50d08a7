"""Jobs that misbehave the way C-level hangs do, to test the dispatcher's hard kill.

Imported by name in worker processes, so it lives beside the tests as a module.
"""

from __future__ import annotations

import os
import signal
import time

from reward_service.verifiers.verdict import Verdict


def ignore_alarm_and_sleep(seconds: float) -> Verdict:
    # Blocking SIGALRM is what a long C call amounts to: the soft budget never fires.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    time.sleep(seconds)
    return Verdict("correct", 1.0, {"pid": os.getpid()})


def report_pid() -> Verdict:
    return Verdict("correct", 1.0, {"pid": os.getpid()})


def crash() -> Verdict:
    os._exit(3)


def allocate(megabytes: int) -> Verdict:
    block = bytearray(megabytes * 1024 * 1024)
    return Verdict("correct", 1.0, {"allocated": len(block)})
