"""GET /languages: what this deployment can run, probed inside its sandboxes (the API's own, or the code workers')."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from sandbox import LANGUAGES
from service.api.deps import scoring_context
from service.context import ScoringContext

router = APIRouter(tags=["code"])


class LanguageInfo(BaseModel):
    name: str
    aliases: list[str]
    version: str | None
    test_kinds: list[str]


class LanguagesResponse(BaseModel):
    backend: str | None
    available: bool
    reason: str | None = None
    languages: list[LanguageInfo]


@router.get("/languages", response_model=LanguagesResponse, summary="Languages the code verifier runs here")
async def languages(ctx: Annotated[ScoringContext, Depends(scoring_context)]) -> LanguagesResponse:
    report = await ctx.dispatcher.sandbox_report()
    listed = [
        LanguageInfo(
            name=language.name,
            aliases=list(language.aliases),
            version=report.languages[language.name],
            test_kinds=["stdio", "call", "assert"] if language.runner else ["stdio"],
        )
        for language in LANGUAGES.values()
        if language.name in report.languages
    ]
    return LanguagesResponse(backend=report.backend, available=bool(listed), reason=report.reason, languages=listed)
