"""Wire schemas of the v1 API: what a trainer sends and what it gets back."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

MathStatus = Literal["correct", "wrong", "no_answer", "timeout", "error"]
CodeStatus = Literal[
    "accepted",
    "wrong_answer",
    "time_limit",
    "memory_limit",
    "output_limit",
    "runtime_error",
    "compile_error",
    "no_code",
    "sandbox_error",
]
Status = Literal[MathStatus, CodeStatus]


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
    kind: Literal["stdio"]
    cases: list[StdioCase] = Field(..., min_length=1)
    float_tolerance: float | None = Field(None, ge=0)


class AssertTests(BaseModel):
    kind: Literal["assert"]
    code: str
    entry_point: str | None = None


class CallCase(BaseModel):
    args: list[Any] = Field(default_factory=list)
    expected: Any = None


class CallTests(BaseModel):
    kind: Literal["call"]
    fn_name: str
    cases: list[CallCase] = Field(..., min_length=1)


CodeTests = Annotated[Union[StdioTests, AssertTests, CallTests], Field(discriminator="kind")]


class CodeLimits(BaseModel):
    model_config = ConfigDict(extra="forbid")

    time_s: float | None = Field(None, gt=0)
    memory_mb: int | None = Field(None, gt=0)
    output_kb: int | None = Field(None, gt=0)


class CodeItem(_Item):
    task: Literal["code"]
    tests: CodeTests
    language: str | None = None
    limits: CodeLimits | None = None


Item = Annotated[Union[MathItem, CodeItem], Field(discriminator="task")]


class FormatRewardOptions(BaseModel):
    """R1-style format reward: reasoning inside <think>...</think>, then the answer."""

    model_config = ConfigDict(extra="forbid")

    weight: float = Field(0.5, description="Added to the score when the format holds.")
    require_answer_tags: bool = Field(
        False, description="Also require the answer inside <answer>...</answer> after the think block."
    )


class ScoreOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: FormatRewardOptions | None = Field(None, description="Off unless given.")
    last_number_fallback: bool | None = Field(None, description="Override the server default for this request.")
    all_or_nothing: bool = Field(False, description="Code: score 1 only when every test passes.")


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
