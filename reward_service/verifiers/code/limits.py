"""What a program, its compiler and its judge may use, as the sandbox driver is told, and
what a limit the driver saw hit means for the verdict: one home for the rules that a code
item's runs and a /run_code run share."""

from __future__ import annotations

import signal
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from reward_sandbox import Language, Limits
from reward_service.verifiers.code.kinds.base import failure

# What runtimes print when an allocation fails under RLIMIT_AS or a V8 heap limit.
_MEMORY_MARKERS = (
    "MemoryError",
    "std::bad_alloc",
    "JavaScript heap out of memory",
    "Cannot allocate memory",
    "java.lang.OutOfMemoryError",
    "fatal error: runtime: out of memory",  # Go
    "memory allocation of",  # Rust's allocation failure: "memory allocation of N bytes failed"
)


@dataclass(frozen=True)
class CompileSettings:
    time_s: float = 30.0
    memory_mb: int = 1536
    output_kb: int = 256
    processes: int = 32
    # Headers offered to C++ judges that include them (testlib.h), read at start-up.
    judge_library: tuple[tuple[str, str], ...] = ()


def wall_s(cpu_s: float) -> float:
    """How long a step may take on the clock: limits are on CPU time, so that a busy
    neighbour cannot turn a correct program into a time_limit; this bounds the programs
    that wait (sleep, a deadlock) instead. The driver stops each step at it."""
    return 2 * cpu_s + 1


def request_timeout_s(steps_cpu_s: Iterable[float]) -> float:
    """The deadline of a whole driver request: every step at its wall bound, a second of
    slack each, and the session's round trip."""
    return sum(wall_s(cpu_s) + 1.0 for cpu_s in steps_cpu_s) + 15.0


def run_limits(limits: Limits, language: Language, per_session_uid: bool) -> dict[str, Any]:
    base = {
        "time_s": limits.time_s,
        "wall_s": wall_s(limits.time_s),
        "memory_mb": limits.memory_mb,
        "output_kb": limits.output_kb,
        "file_kb": limits.file_kb,
        # Interpreters map shared libraries beyond the program's own heap.
        "address_space_mb": limits.memory_mb + 64,
        "processes": limits.processes if per_session_uid else None,
    }
    return language.step_limits(base, runtime_memory=True)


# A checker or an interactor: time for the slow ones (testlib reading megabytes), its
# memory apart from the program's, and little output (its message).
_JUDGE_TIME_S = 10.0
_JUDGE_MEMORY_MB = 1024
_JUDGE_OUTPUT_KB = 64


def judge_limits(limits: Limits, per_session_uid: bool) -> dict[str, Any]:
    """A judge's limits before its language adapts them (Language.step_limits)."""
    time_s = max(_JUDGE_TIME_S, 2 * limits.time_s)
    return {
        "time_s": time_s,
        "wall_s": wall_s(time_s),
        "memory_mb": _JUDGE_MEMORY_MB,
        "output_kb": _JUDGE_OUTPUT_KB,
        "file_kb": max(limits.file_kb, 65536),
        "address_space_mb": _JUDGE_MEMORY_MB + 64,
        "processes": limits.processes if per_session_uid else None,
    }


def compile_limits(compile: CompileSettings, limits: Limits, per_session_uid: bool) -> dict[str, Any]:
    """A compiler's limits before the language adapts them (Language.step_limits: javac is a
    JVM, and reserves more address space than it uses)."""
    return {
        "time_s": compile.time_s,
        "wall_s": wall_s(compile.time_s),
        "memory_mb": compile.memory_mb,
        "output_kb": compile.output_kb,
        "file_kb": max(limits.file_kb, 65536),
        "address_space_mb": compile.memory_mb,
        "processes": compile.processes if per_session_uid else None,
    }


def limit_verdict(run: dict[str, Any], limits: Limits, language: Language) -> dict[str, Any] | None:
    if run.get("error"):
        return {"status": "sandbox_error", "message": run["error"]}
    if run.get("limit") == "time" or run.get("signal") == signal.SIGXCPU:
        return {
            "status": "time_limit",
            "message": f"used more than {limits.time_s:g} s of CPU time, or waited more than {wall_s(limits.time_s):g} s",
        }
    if run.get("limit") == "memory":
        return failure("memory_limit", run, f"its processes together used more than {limits.memory_mb} MB")
    if run.get("limit") == "output":
        if run.get("reply_budget_exhausted"):
            return {
                "status": "output_limit",
                "message": "the item's runs together printed more than the sandbox sends back",
            }
        return {"status": "output_limit", "message": f"printed more than {limits.output_kb} KB"}
    if run.get("signal") == signal.SIGXFSZ:
        return {"status": "output_limit", "message": f"wrote a file larger than {limits.file_kb} KB"}
    if run.get("oom_killed"):
        # The memory cgroup killed a process of the run: one that outgrew the limit, even if
        # the program itself went on and exited 0 (a forked child sacrificed, the parent prints).
        return failure("memory_limit", run, f"its processes together used more than {limits.memory_mb} MB")
    failed = run.get("exit_code") != 0 or run.get("signal") is not None
    stderr = run.get("stderr", "")
    if failed and any(marker in stderr for marker in _MEMORY_MARKERS):
        return failure("memory_limit", run, f"used more than {limits.memory_mb} MB")
    if run.get("max_rss_kb", 0) > (limits.memory_mb + language.runtime_memory_mb) * 1024:
        return failure("memory_limit", run, f"used more than {limits.memory_mb} MB")
    return None
