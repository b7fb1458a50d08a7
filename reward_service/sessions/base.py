"""What every home of sessions shares: what a session may use, how it is described, and the
calls the API makes, whether the sessions live in this process (registry.py) or on the
session workers that Redis routes to (remote.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from reward_sandbox.kernel import CellReply
from reward_service.settings import Settings


@dataclass(frozen=True)
class SessionSpec:
    """What a session may use, once the caller's wishes are capped by the server's maxima."""

    time_s: float
    memory_mb: int
    output_kb: int
    cpu_s: float
    idle_ttl_s: float
    files: tuple[tuple[str, str], ...] = ()


def session_spec(
    settings: Settings,
    time_s: float | None = None,
    memory_mb: int | None = None,
    output_kb: int | None = None,
    cpu_s: float | None = None,
    idle_ttl_s: float | None = None,
    files: tuple[tuple[str, str], ...] = (),
) -> SessionSpec:
    """A caller's wishes, defaulted by the server's settings and capped by its maxima."""
    maxima = settings.code_maxima()
    return SessionSpec(
        time_s=min(time_s or settings.session_cell_time_s, maxima.time_s),
        memory_mb=min(memory_mb or settings.code_memory_mb, maxima.memory_mb),
        output_kb=min(output_kb or settings.code_output_kb, maxima.output_kb),
        cpu_s=min(cpu_s or settings.session_max_cpu_s, settings.session_max_cpu_s),
        idle_ttl_s=min(idle_ttl_s or settings.session_idle_ttl_s, settings.session_max_idle_ttl_s),
        files=files,
    )


@dataclass(frozen=True)
class SessionDescription:
    id: str
    language: str
    time_s: float
    wall_s: float
    memory_mb: int
    output_kb: int
    cpu_s: float
    cpu_used_s: float
    cells: int
    idle_ttl_s: float
    idle_s: float
    busy: bool
    # The session worker that holds it (with Redis); None on the embedded default.
    worker: str | None = None


class Sessions(Protocol):
    """The API's calls; each raises the session errors of reward_service/exceptions.py."""

    async def open(self, owner: str, spec: SessionSpec, language: str = "python") -> SessionDescription: ...

    async def describe(self, owner: str, session_id: str) -> SessionDescription: ...

    async def run_cell(self, owner: str, session_id: str, code: str) -> tuple[int, CellReply]:
        """The cell's number in the session, and its result."""
        ...

    async def close(self, owner: str, session_id: str) -> None: ...

    async def aclose(self) -> None: ...
