"""A session's kernel seen from the host: one sandbox of its own, whose driver keeps a Python
interpreter alive between requests and runs each cell in it.

A kernel sandbox never comes from the warm pool and never goes back to it: its work
dir and its interpreter hold one session's state, which must reach no other item or
session. Closing it ends the sandbox and everything in it.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal, TypedDict

from reward_sandbox.session import DriverSession, SessionBroken

CellStatus = Literal["ok", "error", "timeout", "memory_limit", "output_limit", "sandbox_error"]


class CellError(TypedDict):
    type: str
    message: str
    traceback: str


class CellReply(TypedDict):
    """What the driver answers for one cell (reward_sandbox/harness/kernel_cells.py)."""

    status: CellStatus
    stdout: str
    stderr: str
    value: str | None
    error: CellError | None
    cpu_s: float
    wall_s: float
    # The interpreter ended with this cell (a limit, or the cell ended its process).
    state_lost: bool
    # The cell ran in a fresh interpreter: an earlier one had ended.
    restarted: bool


class KernelLimits(TypedDict):
    """The driver's limits of one cell (as verifiers/code/limits.py's run_limits makes them)."""

    time_s: float
    wall_s: float
    memory_mb: int
    output_kb: int
    file_kb: int
    address_space_mb: int | None
    processes: int | None
    # All cells together: the interpreter's own CPU backstop (RLIMIT_CPU) for its lifetime.
    session_cpu_s: float


def unrun_cell(status: CellStatus, error_type: str, message: str, *, state_lost: bool) -> CellReply:
    """The reply for a cell that never ran: why, as its error."""
    return {
        "status": status,
        "stdout": "",
        "stderr": "",
        "value": None,
        "error": {"type": error_type, "message": message, "traceback": ""},
        "cpu_s": 0.0,
        "wall_s": 0.0,
        "state_lost": state_lost,
        "restarted": False,
    }


def sandbox_error(message: str) -> CellReply:
    return unrun_cell("sandbox_error", "SandboxError", message, state_lost=True)


class KernelSandbox:
    """Cells into one dedicated driver session; the driver starts the interpreter on the first."""

    def __init__(self, session: DriverSession, harness_path: str) -> None:
        self._session = session
        self._argv = ["python3", "-I", f"{harness_path}/py_kernel.py"]
        self._broken: str | None = None

    async def run_cell(
        self, code: str, limits: KernelLimits, timeout_s: float, *, files: dict[str, str] | None = None, number: int = 1
    ) -> CellReply:
        """Runs ``code`` as cell ``number`` (tracebacks name it); ``files`` go into the work dir
        first (a session's files, with its first cell). A sandbox that failed once answers
        every later cell with `sandbox_error`."""
        if self._broken is not None:
            return sandbox_error(self._broken)
        request: dict[str, Any] = {
            "op": "cell",
            "nonce": uuid.uuid4().hex,
            "kernel": self._argv,
            "code": code,
            "number": number,
            "limits": dict(limits),
            "files": files or {},
        }
        try:
            reply = await self._session.request(request, timeout_s)
        except SessionBroken as exc:
            self._broken = f"the session's sandbox ended: {exc}"
            return sandbox_error(self._broken)
        if reply.get("nonce") != request["nonce"] or "status" not in reply:
            self._broken = str(reply.get("driver_error") or "the sandbox driver sent an unexpected reply")
            return sandbox_error(self._broken)
        return {
            "status": reply["status"],
            "stdout": str(reply.get("stdout", "")),
            "stderr": str(reply.get("stderr", "")),
            "value": reply.get("value"),
            "error": reply.get("error"),
            "cpu_s": float(reply.get("cpu_s") or 0.0),
            "wall_s": float(reply.get("wall_s") or 0.0),
            "state_lost": bool(reply.get("state_lost")),
            "restarted": bool(reply.get("restarted")),
        }

    async def close(self) -> None:
        await self._session.close()
