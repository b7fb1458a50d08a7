"""What the kinds judged by a test process inside the sandbox share (call, assert).

The language's runner (py_runner.py, js_launch.py) reads one JSON request on stdin,
runs the program in a process of its own, and writes its outcome on fd 3 tagged
with the attempt's nonce; only an outcome of a runner that ended cleanly counts.
"""

from __future__ import annotations

import json
from typing import Any

from reward_service.exceptions import Unsupported
from reward_service.verifiers.code.kinds.base import DETAIL_CHARS, RunContext, ended_cleanly, failure


def runner_run(context: RunContext, kind: str, **request: Any) -> dict[str, Any]:
    argv = context.language.runner_argv(context.limits.memory_mb, context.harness_path)
    if argv is None:
        raise Unsupported(f"`{kind}` tests are not supported for {context.language.name}; use stdio tests")
    stdin = json.dumps({"nonce": context.nonce, "program": context.language.source_file, **request})
    return {"argv": argv, "fd3": True, "stdin": stdin}


def read_outcome(run: dict[str, Any], nonce: str) -> dict[str, Any] | None:
    # The last line carrying this attempt's nonce; anything else on fd 3 is the program's.
    for line in reversed(run.get("fd3", "").splitlines()):
        try:
            outcome = json.loads(line)
        except ValueError:
            continue
        if isinstance(outcome, dict) and outcome.get("nonce") == nonce:
            return outcome
    return None


def judge_failed_outcome(
    run: dict[str, Any], outcome: dict[str, Any] | None, context: RunContext
) -> dict[str, Any] | None:
    """The verdict when the runner did not report a success it may claim, else None."""
    if outcome is None:
        return failure("runtime_error", run, "the program ended the test process before the tests finished")
    name = outcome.get("outcome")
    if name in ("returned", "passed") and not ended_cleanly(run):
        # Whatever it reported, a runner that was killed or failed did not finish honestly.
        return failure("runtime_error", run, "the test process was killed or failed after reporting")
    if name == "assertion_failed":
        return {"status": "wrong_answer", "message": str(outcome.get("message", ""))[-DETAIL_CHARS:]}
    if name == "harness_error":
        # The test process refused to run the program (it could not make itself undumpable).
        return {"status": "sandbox_error", "message": str(outcome.get("message", ""))[-DETAIL_CHARS:]}
    if name == "memory_error":
        return {"status": "memory_limit", "message": f"allocated more than {context.limits.memory_mb} MB"}
    if name in ("returned", "passed"):
        return None
    return failure("runtime_error", run, str(outcome.get("message", ""))[-DETAIL_CHARS:])
