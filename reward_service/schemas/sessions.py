"""Wire models of /sessions: a stateful Python kernel per trajectory, for multi-turn tool use."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from reward_sandbox.kernel import CellStatus

_FILE_NAME_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")


def _file_name(name: str) -> str:
    if not _FILE_NAME_RE.fullmatch(name):
        raise ValueError(f"{name[:80]!r} is not a file name (letters, digits, `_.-`, no path, at most 100)")
    return name


SessionFileName = Annotated[str, AfterValidator(_file_name)]


class SessionLimits(BaseModel):
    """Per cell, except `cpu_s`, which all of the session's cells share. Capped by the server's maxima."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    time_s: float | None = Field(None, gt=0, description="CPU time of one cell. Default: REWARD_SESSION_CELL_TIME_S.")
    memory_mb: int | None = Field(None, gt=0, description="Memory of the kernel and its processes.")
    output_kb: int | None = Field(None, gt=0, description="Stdout and stderr of one cell, together.")
    cpu_s: float | None = Field(None, gt=0, description="CPU time of all cells together.")


class SessionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    language: Literal["python"] = Field("python", description="The kernel's language; Python is the one so far.")
    limits: SessionLimits = Field(default_factory=SessionLimits)
    idle_ttl_s: float | None = Field(
        None, gt=0, description="End the session after this long without a cell. Default: REWARD_SESSION_IDLE_TTL_S."
    )
    files: dict[SessionFileName, str] = Field(
        default_factory=dict, max_length=64, description="Files in the kernel's working directory from the start."
    )


class SessionInfo(BaseModel):
    id: str
    language: str
    time_s: float = Field(..., description="CPU time of one cell.")
    wall_s: float = Field(..., description="Wall time of one cell.")
    memory_mb: int
    output_kb: int
    cpu_s: float = Field(..., description="CPU time all cells may use together.")
    cpu_used_s: float
    cells: int = Field(..., description="Cells run so far.")
    idle_ttl_s: float
    idle_s: float = Field(..., description="Seconds since the last cell ended (or the session began).")
    busy: bool = Field(..., description="A cell is running now.")
    worker: str | None = Field(None, description="The session worker that holds it (with Redis); null when embedded.")


class CellRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(..., description="Python source: statements, then optionally an expression whose repr is shown.")


class CellError(BaseModel):
    type: str
    message: str
    traceback: str = ""


class CellResult(BaseModel):
    status: CellStatus = Field(
        ...,
        description="`ok`; `error` (an exception, see `error`); `timeout`, `memory_limit`, `output_limit` (the "
        "limit ended the kernel: its state is lost, see `state_lost`); `sandbox_error` (ours, not the code's).",
    )
    stdout: str = ""
    stderr: str = ""
    value: str | None = Field(None, description="repr of the cell's final expression, when it ends with one.")
    error: CellError | None = None
    cell: int = Field(..., description="This cell's number in the session, from 1.")
    cpu_s: float
    wall_s: float
    state_lost: bool = Field(
        False,
        description="The kernel ended with this cell (a limit, or the code ended its process): the next cell "
        "starts a fresh interpreter. Files in the working directory are kept.",
    )
    restarted: bool = Field(False, description="This cell ran in a fresh interpreter, after an earlier one's end.")
