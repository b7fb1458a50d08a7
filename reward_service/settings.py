"""Deployment settings, read once from the environment (prefix ``REWARD_``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from reward_sandbox import Limits


def _default_workers() -> int:
    return max(1, os.cpu_count() or 1)


class Settings(BaseSettings):
    """Every knob of the service. Each field maps to ``REWARD_<FIELD>`` in upper case."""

    model_config = SettingsConfigDict(env_prefix="REWARD_", extra="ignore")

    host: str = Field("127.0.0.1", description="Address `reward-service serve` binds to.")
    port: int = Field(8000, description="Port `reward-service serve` listens on.")
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"
    log_format: Literal["json", "text"] = Field(
        "json", description="`json`: one JSON object per log line (with the request id); `text`: plain lines."
    )

    # Security of the service itself (issue 6).
    api_tokens: SecretStr = Field(
        SecretStr(""),
        description="Comma-separated bearer tokens. With any token configured (here or in api_tokens_file), "
        "every route except /healthz, /readyz, /metrics and the API docs needs `Authorization: Bearer <token>`.",
    )
    api_tokens_file: Path | None = Field(
        None, description="A file with one bearer token per line (a mounted Kubernetes Secret); adds to api_tokens."
    )
    cors_allow_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated browser origins allowed by CORS, e.g. https://dash.example.com. Empty: CORS off.",
    )

    workers: int = Field(
        default_factory=_default_workers,
        ge=1,
        description="Verifier worker processes of the embedded pool (default: one per CPU).",
    )
    math_timeout_s: float = Field(
        5.0,
        gt=0,
        description="Wall-clock budget for parsing and comparing one math answer.",
    )
    math_kill_grace_s: float = Field(
        1.0,
        ge=0,
        description="Extra time after math_timeout_s before a stuck worker process is killed and replaced.",
    )
    worker_memory_mb: int = Field(
        2048, ge=0, description="Address-space limit of each verifier worker process in MiB (0: no limit)."
    )
    math_default_mode: Literal["boxed", "any"] = Field(
        "any",
        description="Answer extraction when an item gives no `mode`: `boxed` reads only \\boxed/\\fbox "
        "(and <answer> tags); `any` also accepts 'the answer is ...' and, if enabled, the last number.",
    )
    last_number_fallback: bool = Field(
        True,
        description="In `any` mode, fall back to the last number of the response when nothing else marks the answer.",
    )

    request_read_timeout_s: float = Field(
        60.0,
        gt=0,
        description="A request (headers and body) must arrive whole within this many seconds of its first byte; "
        "slower clients are disconnected.",
    )
    max_body_bytes: int = Field(64 * 1024 * 1024, ge=1024, description="Largest request body accepted (413 above).")
    max_items: int = Field(16384, ge=1, description="Most items in one /score request (413 above).")
    max_response_chars: int = Field(
        400_000, ge=1, description="Longest `response` text scored; longer items get an `error` result."
    )
    problems_dir: Path = Field(
        Path.home() / ".local" / "share" / "reward-service" / "problems",
        description="Where the embedded default keeps stored problems (with Redis they live in Redis).",
    )
    max_problem_cases: int = Field(10000, ge=1, description="Most test cases a stored problem may have.")
    max_problem_chars: int = Field(
        256 * 1024 * 1024, ge=1, description="Largest stored problem (tests, judges and support files), in characters."
    )
    max_test_cases: int = Field(
        1000,
        ge=1,
        description="Most test cases in one code item; more get an `error` result before any work is queued.",
    )
    max_tests_chars: int = Field(
        8_000_000,
        ge=1,
        description="Largest total size of one code item's tests (inputs, expected outputs, assert code), in characters.",
    )
    result_cache_size: int = Field(
        200_000, ge=0, description="Verdicts kept in the in-process result cache (0 disables it)."
    )

    # Code verification (issue 3): where untrusted programs run, and what they may use.
    sandbox_backend: Literal["bwrap", "docker"] = Field(
        "bwrap",
        description="`bwrap`: bubblewrap namespaces on this host (the embedded default); "
        "`docker`: locked-down containers from REWARD_SANDBOX_IMAGE on a Docker engine.",
    )
    sandbox_allow_unsafe: bool = Field(
        False,
        description="Development only: when the chosen backend cannot isolate code here, run it as plain "
        "processes instead of refusing (code items otherwise get sandbox_error saying why).",
    )
    sandbox_image: str = Field("reward-sandbox:0.1.0", description="Image of the docker backend's containers.")
    sandbox_pool_size: int = Field(
        default_factory=_default_workers, ge=1, description="Programs run at once (warm sandbox sessions)."
    )
    sandbox_recycle: Literal["dirty", "always"] = Field(
        "dirty",
        description="`dirty`: a session is replaced when its driver could not restore it (leftover processes "
        "killed, files wiped) or died; `always`: a fresh session for every item.",
    )
    code_time_s: float = Field(2.0, gt=0, description="Default wall time per test run.")
    code_memory_mb: int = Field(256, ge=16, description="Default memory per program.")
    code_output_kb: int = Field(1024, ge=1, description="Default output (stdout) per test run.")
    code_max_time_s: float = Field(10.0, gt=0, description="Cap on an item's `limits.time_s`.")
    code_max_memory_mb: int = Field(1024, ge=16, description="Cap on an item's `limits.memory_mb`.")
    code_max_output_kb: int = Field(16384, ge=1, description="Cap on an item's `limits.output_kb`.")
    code_max_processes: int = Field(64, ge=4, description="Processes (threads included) one program may have.")
    code_compile_timeout_s: float = Field(30.0, gt=0, description="Wall time for compiling one program.")
    testlib_header: Path | None = Field(
        None,
        description="Path to testlib.h (github.com/MikeMirzayanov/testlib), offered to every C++ checker and "
        "interactor that includes it and does not ship its own. None is bundled.",
    )

    # Scale-out and flow control (issue 4). Without a Redis URL everything stays in this process.
    redis_url: str | None = Field(
        None,
        validation_alias=AliasChoices("REWARD_REDIS_URL", "redis_url"),
        description="Redis for RQ workers, the shared result cache and async jobs, e.g. redis://redis:6379/0 "
        "(also read from REDIS_URL). Unset: the embedded in-process pool.",
    )
    rq_chunk_size: int = Field(64, ge=1, description="Most math verifications in one RQ job (chunk).")
    rq_code_chunk_size: int = Field(4, ge=1, description="Most code verifications in one RQ job (chunk).")
    rq_lease_s: int = Field(
        10,
        ge=2,
        description="A worker silent this long is presumed dead: its chunk is retried on another worker.",
    )
    rq_max_retries: int = Field(2, ge=1, description="Times one chunk is retried after its worker died.")
    redis_cache_ttl_s: int = Field(7 * 24 * 3600, ge=1, description="Lifetime of a verdict in the Redis cache.")
    max_queue_depth: int = Field(
        65536,
        ge=1,
        description="Verifications waiting in this API instance past which /score and /jobs answer 429 "
        "(/openrlhf and /run_code hold the request first).",
    )
    retry_after_s: int = Field(2, ge=1, description="Retry-After of a 429.")
    score_deadline_s: float = Field(
        300.0, gt=0, description="Longest wait for a /score request; items unscored by then are `timeout`."
    )
    job_deadline_s: float = Field(
        3600.0, gt=0, description="Longest run of a /jobs batch; items unscored by then are `timeout`."
    )
    job_result_ttl_s: int = Field(3600, ge=1, description="How long a finished /jobs batch can be fetched.")

    # Trainers that call with their own fixed client (issue 14): OpenRLHF's remote reward and
    # veRL's SandboxFusion client. Neither sends options, and neither retries a 429 for long.
    openrlhf_options: dict[str, Any] = Field(
        default_factory=dict,
        description="The scoring options of every /openrlhf request, as the JSON of /score's `options` "
        '(e.g. `{"format": {"weight": 0.5}, "all_or_nothing": true}`); OpenRLHF sends none. '
        "An invalid value stops the server from starting.",
    )
    openrlhf_max_wait_s: float = Field(
        30.0,
        ge=0,
        description="Under backpressure (REWARD_MAX_QUEUE_DEPTH reached) /openrlhf holds a request up to this "
        "long for room before it answers 429: OpenRLHF retries 5 times 1 s apart, so a 429 loses the reward.",
    )
    run_code_max_wait_s: float = Field(
        5.0,
        ge=0,
        description="The same hold for /run_code (veRL's SandboxFusion client retries only a 504); "
        "keep it well under the client's timeout (veRL: compile + run timeout + 10 s).",
    )

    # Sessions (POST /sessions): a stateful Python kernel per trajectory, for multi-turn tool use.
    session_max_open: int = Field(
        128,
        ge=0,
        description="Open sessions this server holds at most (each is a sandbox with a live interpreter, "
        "about 30 MB); past it POST /sessions is 429 with Retry-After. 0 turns sessions off.",
    )
    session_max_per_token: int = Field(
        64, ge=1, description="Open sessions one API token (or, without tokens, all callers together) may hold."
    )
    session_idle_ttl_s: float = Field(
        600.0, gt=0, description="A session no cell has used for this long is ended (its default idle TTL)."
    )
    session_max_idle_ttl_s: float = Field(3600.0, gt=0, description="Cap on a session's own `idle_ttl_s`.")
    session_cell_time_s: float = Field(10.0, gt=0, description="Default CPU time of one cell.")
    session_max_cpu_s: float = Field(
        300.0, gt=0, description="CPU time all cells of one session may use together (cap on its `cpu_s`)."
    )
    session_max_cell_chars: int = Field(100_000, ge=1, description="Longest cell accepted; longer is 413.")

    @field_validator("cors_allow_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("testlib_header")
    @classmethod
    def _readable_header(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"REWARD_TESTLIB_HEADER: {value} is not a readable file")
        return value

    def judge_library(self) -> tuple[tuple[str, str], ...]:
        """The headers offered to C++ judges, read once at start-up."""
        if self.testlib_header is None:
            return ()
        return (("testlib.h", self.testlib_header.read_text(encoding="utf-8", errors="replace")),)

    def code_maxima(self) -> Limits:
        """The caps no item's sandbox limits may exceed (the backend is sized for them)."""
        return Limits(
            time_s=self.code_max_time_s,
            memory_mb=self.code_max_memory_mb,
            output_kb=self.code_max_output_kb,
            processes=self.code_max_processes,
        )
