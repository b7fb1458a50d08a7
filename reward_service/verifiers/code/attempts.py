"""One driver request on a warm sandbox session, tried once more on another session when
the sandbox (not the program) failed under it: a code item's verification and a
/run_code run go through this one loop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reward_sandbox import SandboxPool, SandboxUnavailable, SessionBroken
from reward_service.exceptions import Unsupported
from reward_service.verifiers.verdict import Verdict

# A sandbox that failed under a request is our fault, not the program's: one more try on
# another session before the outcome is sandbox_error.
ATTEMPTS = 2

# A fresh request per attempt (a fresh nonce: an earlier attempt's outcome never counts),
# and the seconds it may take.
Prepare = Callable[[], tuple[dict[str, Any], float]]
# The verdict of a reply whose nonce matched, given the request it answers.
Judge = Callable[[dict[str, Any], dict[str, Any]], Verdict]
# The verdict when the program filled its session's memory until the driver was killed.
Starved = Callable[[SessionBroken], Verdict]


async def execute_with_retry(
    pool: SandboxPool, prepare: Prepare, judge: Judge, starved: Starved, unavailable: str
) -> Verdict:
    """``unavailable`` names what cannot be done when the pool has no sandbox at all."""
    failures: list[str] = []
    for _ in range(ATTEMPTS):
        try:
            payload, timeout_s = prepare()
            reply = await pool.execute(payload, timeout_s)
        except Unsupported as exc:
            return Verdict("sandbox_error", None, {"error": str(exc)})
        except SandboxUnavailable as exc:
            return Verdict("sandbox_error", None, {"error": f"{unavailable}: {exc}"})
        except SessionBroken as exc:
            if exc.out_of_memory:
                return starved(exc)
            failures.append(f"the sandbox failed under this request: {exc}")
            if not exc.retryable:
                break
            continue
        if reply.get("nonce") != payload["nonce"]:
            failures.append(
                f"the sandbox driver failed: {reply.get('driver_error', 'reply does not match the request')}"
            )
            continue
        verdict = judge(reply, payload)
        # A judge's failure (a checker that exits 3, hangs or does not compile) happens
        # again on any session: it is reported once, not run twice.
        if verdict.status != "sandbox_error" or verdict.details.get("judge_failed"):
            if failures:
                verdict.details["sandbox_retried_after"] = failures
            return verdict
        failures.append(verdict.details.get("error") or "the sandbox failed")
    return Verdict("sandbox_error", None, {"error": failures[-1], "attempts": failures})
