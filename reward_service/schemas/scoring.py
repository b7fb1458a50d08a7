"""Wire schemas of the v1 API: what a trainer sends and what it gets back."""

from __future__ import annotations

import keyword
import re
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator

from reward_service.schemas.dataset_tests import DatasetTests
from reward_service.verifiers.jobs import DEFAULT_MATH_DECIMALS
from reward_service.verifiers.language.codes import SUPPORTED_LANGUAGE_CODES, is_supported_language
from reward_service.verifiers.verdict import Status

# Every float a request carries must be finite: NaN compares false with everything,
# so `time_s: NaN` would disable a limit and a NaN weight would null every score.
_FINITE = ConfigDict(allow_inf_nan=False)

_JS_IDENTIFIER_RE = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")


def _identifier(name: str) -> str:
    """A function name is looked up, never evaluated: it must be an identifier."""
    python = name.isidentifier() and not keyword.iskeyword(name)
    if not (python or _JS_IDENTIFIER_RE.fullmatch(name)):
        raise ValueError(f"{name[:80]!r} is not a function name (an identifier such as `solve`)")
    return name


_SUPPORT_FILE_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")
# The checker's own files in its directory: a support file must not replace them.
_RESERVED_FILES = frozenset({"input.txt", "output.txt", "answer.txt"})


def _support_file(name: str) -> str:
    if not _SUPPORT_FILE_RE.fullmatch(name) or name in _RESERVED_FILES:
        raise ValueError(
            f"{name[:80]!r} is not a support file name (letters, digits, `_.-`, no path; not {sorted(_RESERVED_FILES)})"
        )
    return name


SupportFileName = Annotated[str, AfterValidator(_support_file)]
FunctionName = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_identifier)]
# A tolerance wider than this accepts outputs that are simply different numbers.
MAX_FLOAT_TOLERANCE = 0.1


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


class StdioCase(BaseModel):
    input: str = ""
    output: str


class StdioTests(BaseModel):
    model_config = _FINITE

    kind: Literal["stdio"]
    cases: list[StdioCase] = Field(..., min_length=1)
    compare: Literal["lines", "tokens", "tokens_ignore_case"] = Field(
        "lines",
        description="`lines`: line by line, trailing whitespace ignored; `tokens`: whitespace-separated "
        "tokens in order, however spread over lines; `tokens_ignore_case`: tokens, letters without case.",
    )
    float_tolerance: float | None = Field(
        None,
        ge=0,
        le=MAX_FLOAT_TOLERANCE,
        description=f"Numbers may differ by this much (absolute or relative), at most {MAX_FLOAT_TOLERANCE}; "
        "integer tokens always match exactly.",
    )


class JudgeProgram(BaseModel):
    """A checker or an interactor: a program of the problem's, run sandboxed like the submission."""

    model_config = ConfigDict(extra="forbid")

    language: str = Field("cpp", description="Any language GET /languages lists; C++ and Python are the usual ones.")
    source: str = Field(..., min_length=1)
    files: dict[SupportFileName, str] = Field(
        default_factory=dict,
        description="Support files beside the source, e.g. the problem's `testlib.h` (none is shipped).",
        max_length=16,
    )


class CheckerCase(BaseModel):
    input: str = ""
    answer: str = Field("", description="The reference answer the checker compares with (testlib's `ans`).")


class CheckerTests(BaseModel):
    kind: Literal["checker"]
    cases: list[CheckerCase] = Field(..., min_length=1)
    checker: JudgeProgram


class InteractiveTests(BaseModel):
    kind: Literal["interactive"]
    cases: list[CheckerCase] = Field(..., min_length=1)
    interactor: JudgeProgram


class AssertTests(BaseModel):
    kind: Literal["assert"]
    code: str
    entry_point: FunctionName | None = None


class CallCase(BaseModel):
    args: list[Any] = Field(default_factory=list)
    expected: Any = None


class CallTests(BaseModel):
    kind: Literal["call"]
    fn_name: FunctionName
    cases: list[CallCase] = Field(..., min_length=1)
    wrapped: bool = Field(
        False,
        description="Each case's `expected` is the return value wrapped in a one-element list, as APPS and TACO "
        "store it: the return value matches the list or its one element (the datasets' own testing rule).",
    )


CodeTests = Annotated[
    StdioTests | AssertTests | CallTests | CheckerTests | InteractiveTests, Field(discriminator="kind")
]
_CODE_TESTS: TypeAdapter[StdioTests | AssertTests | CallTests | CheckerTests | InteractiveTests] = TypeAdapter(
    CodeTests
)


def _as_service_tests(tests: CodeTests | DatasetTests) -> CodeTests:
    """A dataset's `io` tests become the `stdio` or `call` tests they stand for."""
    if isinstance(tests, DatasetTests):
        return _CODE_TESTS.validate_python(tests.service_tests())
    return tests


if TYPE_CHECKING:
    # What a validated item holds: never `io`, which validation turns into stdio or call tests.
    ServiceTests = CodeTests
else:
    ServiceTests = Annotated[
        StdioTests | AssertTests | CallTests | CheckerTests | InteractiveTests | DatasetTests,
        Field(discriminator="kind"),
        AfterValidator(_as_service_tests),
    ]


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
