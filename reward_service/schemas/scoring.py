"""Wire schemas of the v1 API: what a trainer sends and what it gets back.

A code item's (and a stored problem's) `tests` are the test kinds' own models
(`CodeTests`, reward_service/verifiers/code/kinds/): each kind is defined once, there.
The wire also takes a dataset's `io` tests (schemas/dataset_tests.py), which validation
turns into the kind they stand for."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from reward_service.schemas.dataset_tests import DatasetTests
from reward_service.verifiers.code.kinds import AnyTests, CodeTests, parse_tests
from reward_service.verifiers.jobs import DEFAULT_MATH_DECIMALS
from reward_service.verifiers.language.codes import SUPPORTED_LANGUAGE_CODES, is_supported_language
from reward_service.verifiers.verdict import Status


class _Item(BaseModel):
    # Trainers often pass their whole dataset row; unknown fields are ignored, not rejected.
    model_config = ConfigDict(extra="ignore")

    id: str = Field(..., max_length=512, description="Echoed back in the result.")
    response: str = Field(..., description="The model's whole completion text.")


class MathItem(_Item):
    task: Literal["math"]
    ground_truth: str = Field(..., description="Reference answer, LaTeX or plain text.")
    mode: Literal["boxed", "any"] | None = Field(
        None,
        description="`boxed`: only a \\boxed{}/\\fbox{} (or <answer> tags) counts; "
        "`any`: also 'the answer is ...' and the last-number fallback. Default: server setting.",
    )


def _as_service_tests(tests: AnyTests | DatasetTests) -> AnyTests:
    """A dataset's `io` tests become the `stdio` or `call` tests they stand for."""
    if isinstance(tests, DatasetTests):
        return parse_tests(tests.service_tests())
    return tests


if TYPE_CHECKING:
    # What a validated item holds: never `io`, which validation turns into stdio or call tests.
    ServiceTests = CodeTests
else:
    ServiceTests = Annotated[AnyTests | DatasetTests, Field(discriminator="kind"), AfterValidator(_as_service_tests)]


class CodeLimits(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    time_s: float | None = Field(None, gt=0)
    memory_mb: int | None = Field(None, gt=0)
    output_kb: int | None = Field(None, gt=0)


_PROBLEM_ID_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:-]{0,199}")


def _problem_id(value: str) -> str:
    if not _PROBLEM_ID_RE.fullmatch(value):
        raise ValueError(f"{value[:80]!r} is not a problem id (letters, digits and `_.:-`, at most 200)")
    return value


ProblemId = Annotated[str, AfterValidator(_problem_id)]


class CodeItem(_Item):
    task: Literal["code"]
    tests: ServiceTests | None = Field(None, description="The tests inline; or name a stored `problem` instead.")
    problem: ProblemId | None = Field(None, description="A problem stored with PUT /problems/{id}: its tests.")
    language: str | None = Field(None, description="Default: the stored problem's, else found in the response.")
    limits: CodeLimits | None = Field(None, description="Default: the stored problem's, else the server's.")

    @model_validator(mode="after")
    def _tests_or_problem(self) -> CodeItem:
        if (self.tests is None) == (self.problem is None):
            raise ValueError("a code item has either `tests` or `problem` (the id of a stored problem), not both")
        return self


class ProblemBody(BaseModel):
    """What PUT /problems/{id} stores: tests of any kind, and the defaults of the items that name it."""

    model_config = ConfigDict(extra="forbid")

    tests: ServiceTests
    language: str | None = Field(None, description="The items' language when they do not say.")
    limits: CodeLimits | None = Field(None, description="The items' limits when they do not say.")


class ProblemStored(BaseModel):
    id: str
    hash: str = Field(..., description="sha256 of the stored problem's canonical JSON.")
    cases: int
    size_chars: int


class ProblemRecord(BaseModel):
    id: str
    hash: str
    problem: dict[str, Any]


Item = Annotated[MathItem | CodeItem, Field(discriminator="task")]
# An item once validated: what the pipeline scores.
AnyItem = MathItem | CodeItem


class FormatRewardOptions(BaseModel):
    """R1-style format reward: reasoning inside <think>...</think>, then the answer."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    weight: float = Field(0.5, description="Added to the score when the format holds.")
    require_answer_tags: bool = Field(
        False, description="Also require the answer inside <answer>...</answer> after the think block."
    )


class LanguageRewardOptions(BaseModel):
    """R1's language-consistency reward: the share of the reasoning's words in the target language."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    target: str = Field(..., description="ISO 639-1 code of the language the reasoning should be in, e.g. `en`, `zh`.")
    weight: float = Field(
        0.0, ge=0, description="`weight * share` is added to the score; 0 only reports `details.language_share`."
    )

    @field_validator("target")
    @classmethod
    def _known_language(cls, value: str) -> str:
        code = value.strip().lower()
        if not is_supported_language(code):
            raise ValueError(
                f"unknown language code {value!r}: use an ISO 639-1 code the detector supports "
                f"({', '.join(sorted(SUPPORTED_LANGUAGE_CODES))})"
            )
        return code


class LengthPenaltyOptions(BaseModel):
    """A penalty on long responses: none up to `target`, rising to `weight` at `limit` and beyond."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    target: int = Field(..., ge=0, description="Length with no penalty.")
    limit: int = Field(..., gt=0, description="Length at which the whole `weight` is subtracted.")
    weight: float = Field(0.5, ge=0, description="The largest penalty, subtracted from the score.")
    unit: Literal["chars", "words"] = Field("chars", description="Count characters or whitespace-separated words.")
    shape: Literal["linear", "cosine"] = Field(
        "cosine", description="`cosine` rises gently past `target` and flattens near `limit`; `linear` is a ramp."
    )

    @model_validator(mode="after")
    def _limit_above_target(self) -> LengthPenaltyOptions:
        if self.limit <= self.target:
            raise ValueError(f"limit ({self.limit}) must be greater than target ({self.target})")
        return self


class ScoreOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    format: FormatRewardOptions | None = Field(None, description="Off unless given.")
    accuracy_weight: float = Field(1.0, ge=0, description="Multiplies the verifiable reward (the accuracy term).")
    language: LanguageRewardOptions | None = Field(None, description="Off unless given.")
    length_penalty: LengthPenaltyOptions | None = Field(None, description="Off unless given.")
    last_number_fallback: bool | None = Field(None, description="Override the server default for this request.")
    approximation_decimals: int | None = Field(
        DEFAULT_MATH_DECIMALS,
        ge=0,
        le=15,
        description="Math: a decimal answer to an exact reference (pi, 1/3) counts when both agree to this many "
        "decimals (6: math-verify's rounding, so 3.14159265 is pi and 3.14 is not); null: only a decimal equal to "
        "the reference (0.5 for 1/2) counts.",
    )
    all_or_nothing: bool = Field(False, description="Code: score 1 only when every test passes.")
    deadline_s: float | None = Field(
        None,
        gt=0,
        description="Answer within this many seconds: items not verified by then come back `timeout` (score null). "
        "Capped by the server's REWARD_SCORE_DEADLINE_S (/score) or REWARD_JOB_DEADLINE_S (/jobs).",
    )


class ScoreRequest(BaseModel):
    items: list[Item] = Field(..., min_length=1)
    options: ScoreOptions = Field(default_factory=ScoreOptions)


class ItemResult(BaseModel):
    id: str
    score: float | None = Field(..., description="null when the service could not decide (timeout, our error).")
    status: Status
    details: dict[str, Any] = Field(default_factory=dict)
    cached: bool = False


class ScoreResponse(BaseModel):
    results: list[ItemResult]


class ErrorResponse(BaseModel):
    detail: Any


class OpenRLHFRequest(BaseModel):
    """OpenRLHF's remote reward-model request (`--reward.remote_url .../openrlhf`), parallel lists."""

    model_config = ConfigDict(extra="ignore")

    query: list[str] = Field(
        ...,
        description="Prompt plus response, decoded with special tokens kept. May be empty (an empty shard "
        "of OpenRLHF <= 0.11.0 with several URLs): the answer is then empty too.",
    )
    prompts: list[str] | None = Field(None, description="The prompts, stripped from the front of each query.")
    labels: list[Any] | None = Field(
        None,
        description="Per rollout: a math ground truth (string or number), or an object: "
        '`{"tests": {...}, "language"?}` or a bare tests spec `{"kind": ...}` for code, `{"ground_truth", "mode"?}` for math.',
    )


class OpenRLHFResponse(BaseModel):
    rewards: list[float] = Field(..., description="Scores; a score the service could not decide is 0.0 here.")
    scores: list[float] = Field(..., description="The same values (OpenRLHF filters on these).")
    extra_logs: dict[str, list[float]] = Field(
        ..., description="`accuracy` (1.0 when correct/accepted) and `undecided` (1.0 when the score was null)."
    )


class JobStatus(BaseModel):
    """An asynchronous batch (POST /jobs): progress while it runs, then its results."""

    id: str
    status: Literal["running", "done", "failed"]
    done: int = Field(..., description="Items with a verdict so far.")
    total: int
    results: list[ItemResult] | None = Field(None, description="In request order, once `status` is `done`.")
    error: str | None = Field(None, description="Why the batch failed, when `status` is `failed`.")
