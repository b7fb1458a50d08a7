"""GET /languages: what this deployment can run, probed inside its sandboxes (the API's own, or the code workers')."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from reward_sandbox import LANGUAGES
from reward_service.api.deps import scoring_context
from reward_service.context import ScoringContext

router = APIRouter(tags=["code"])


class LanguageInfo(BaseModel):
    name: str
    aliases: list[str]
    available: bool
    version: str | None
    test_kinds: list[str]
    install: str | None = Field(None, description="What to install for this language, when it is not available.")


class LanguagesResponse(BaseModel):
    backend: str | None
    backend_detail: str | None = Field(None, description="The isolation tool or image in use, e.g. which bwrap.")
    available: bool
    reason: str | None = None
    languages: list[LanguageInfo]


@router.get("/languages", response_model=LanguagesResponse, summary="Languages the code verifier runs here")
async def languages(ctx: Annotated[ScoringContext, Depends(scoring_context)]) -> LanguagesResponse:
    report = await ctx.dispatcher.sandbox_report()
    # Every language is listed; those the sandbox cannot run say what to install.
    listed = [
        LanguageInfo(
            name=language.name,
            aliases=list(language.aliases),
            available=language.name in report.languages,
            version=report.languages.get(language.name),
            # Every language runs stdio, checker and interactive tests; call and assert need a runner.
            test_kinds=["stdio", "checker", "interactive", *(("call", "assert") if language.runner else ())],
            install=None if language.name in report.languages else language.install,
        )
        for language in LANGUAGES.values()
    ]
    return LanguagesResponse(
        backend=report.backend,
        backend_detail=report.detail,
        available=any(info.available for info in listed),
        reason=report.reason,
        languages=listed,
    )
