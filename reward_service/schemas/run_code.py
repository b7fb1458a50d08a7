"""Wire schemas of POST /run_code, SandboxFusion's `run_code` API as its clients use it.

Field names, defaults and statuses follow SandboxFusion (bytedance/SandboxFusion,
`RunCodeRequest` / `RunCodeResponse`) and what veRL 0.9.1's client sends and reads
(verl/utils/reward_score/sandbox_fusion/utils.py), so a client switches by changing its URL.
"""

from __future__ import annotations

import base64
import binascii
import posixpath
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# What SandboxFusion means by memory_limit_MB = -1 (its default): no limit of the caller's, here the server default.
SERVER_DEFAULT_MEMORY = -1


# File names the sandbox can always make: a name Linux takes (255 bytes a part), not too
# deep for a work dir, and short enough to read back in one path.
MAX_NAME_PART_BYTES = 255
MAX_NAME_PARTS = 16
MAX_NAME_CHARS = 1024


def _relative_file_name(name: str) -> str:
    normalized = posixpath.normpath(name)
    if not name or name.startswith("/") or "\x00" in name or normalized in (".", "..") or normalized.startswith("../"):
        raise ValueError(f"file name {name[:200]!r} must be a relative path inside the work dir (no `..`)")
    parts = normalized.split("/")
    if len(name) > MAX_NAME_CHARS or len(parts) > MAX_NAME_PARTS:
        raise ValueError(
            f"file name {name[:200]!r} is too long: at most {MAX_NAME_CHARS} characters in {MAX_NAME_PARTS} parts"
        )
    if any(len(part.encode("utf-8", "surrogatepass")) > MAX_NAME_PART_BYTES for part in parts):
        raise ValueError(f"file name {name[:200]!r} has a part longer than {MAX_NAME_PART_BYTES} bytes")
    return name


class RunCodeRequest(BaseModel):
    # SandboxFusion clients send fields this server does not use (e.g. `extra`): ignored, not refused.
    model_config = ConfigDict(extra="ignore", allow_inf_nan=False)

    code: str = Field(..., description="The program's source.")
    language: str = Field(..., description="A SandboxFusion language name: `python`, `cpp` or `nodejs` here.")
    stdin: str | None = Field(None, description="Standard input of the run.")
    compile_timeout: float = Field(
        10, gt=0, description="Seconds for compiling (C++); capped by REWARD_CODE_COMPILE_TIMEOUT_S."
    )
    run_timeout: float = Field(
        10,
        gt=0,
        description="CPU seconds for the run (waiting is bounded at twice that plus 1 s); "
        "capped by REWARD_CODE_MAX_TIME_S.",
    )
    memory_limit_MB: int = Field(
        SERVER_DEFAULT_MEMORY,
        ge=SERVER_DEFAULT_MEMORY,
        description="Memory of the program in MB; -1 (SandboxFusion's default): REWARD_CODE_MEMORY_MB. "
        "Capped by REWARD_CODE_MAX_MEMORY_MB.",
    )
    files: dict[str, str | None] = Field(
        default_factory=dict, description="Files written into the work dir before the run: name -> base64 content."
    )
    fetch_files: list[str] = Field(
        default_factory=list, description="Files read back after the run; their base64 content comes back in `files`."
    )

    @field_validator("memory_limit_MB")
    @classmethod
    def _memory(cls, value: int) -> int:
        if value == 0:
            raise ValueError("memory_limit_MB must be positive, or -1 for the server default")
        return value

    @field_validator("files")
    @classmethod
    def _files(cls, value: dict[str, str | None]) -> dict[str, str | None]:
        for name, content in value.items():
            _relative_file_name(name)
            if content is not None:
                try:
                    base64.b64decode(content, validate=True)
                except (binascii.Error, ValueError) as exc:
                    raise ValueError(f"files[{name[:200]!r}] is not base64: {exc}") from exc
        return value

    @field_validator("fetch_files")
    @classmethod
    def _fetch_files(cls, value: list[str]) -> list[str]:
        for name in value:
            _relative_file_name(name)
        return value


class CommandRunResult(BaseModel):
    """One step (compiling, or the run): how it ended."""

    status: Literal["Finished", "Error", "TimeLimitExceeded"] = Field(
        ..., description="`Finished`: it ended by itself (see return_code); `Error`: it could not be run."
    )
    execution_time: float | None = Field(None, description="Wall seconds.")
    return_code: int | None = Field(None, description="Exit code; minus the signal number when killed by one.")
    stdout: str | None = None
    stderr: str | None = Field(None, description="The last 4 KB of standard error.")


class RunCodeResponse(BaseModel):
    status: Literal["Success", "Failed", "SandboxError"] = Field(
        ...,
        description="`Success`: compiled and ran to exit code 0; `Failed`: the program's fault (compile error, "
        "non-zero exit, a limit); `SandboxError`: this server could not run it (see `message`).",
    )
    message: str = ""
    compile_result: CommandRunResult | None = None
    run_result: CommandRunResult | None = None
    executor_pod_name: str | None = None
    files: dict[str, str] = Field(default_factory=dict, description="Fetched files: name -> base64 content.")
