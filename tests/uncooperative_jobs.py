"""A stand-in verifier that misbehaves the way C-level hangs, crashes and memory blow-ups do,
to test the math pool's hard kill. The answer says what to do.

Imported by name in the pool's processes, so it lives beside the tests as a module.
"""

from __future__ import annotations

import os
import signal
import time

from reward_service.verifiers.verdict import Verdict


def misbehave(answer: str, ground_truth: str, budget_s: float, decimals: int | None = None) -> Verdict:
    action, _, argument = answer.partition(":")
    if action == "sleep":
        # Blocking SIGALRM is what a long C call amounts to: the soft budget never fires.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(float(argument))
    elif action == "crash":
        os._exit(3)
    elif action == "allocate":
        block = bytearray(int(argument) * 1024 * 1024)
        return Verdict("correct", 1.0, {"allocated": len(block)})
    return Verdict("correct", 1.0, {"pid": os.getpid()})
