"""GET /languages: what this deployment can run, probed inside its sandbox at start-up."""

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
    pool = getattr(ctx.dispatcher, "code_pool", None)
    probed: dict[str, str | None] = getattr(ctx.dispatcher, "languages", {})
    listed = [
        LanguageInfo(
            name=language.name,
            aliases=list(language.aliases),
            version=probed.get(language.name),
            test_kinds=["stdio", "call", "assert"] if language.runner else ["stdio"],
        )
        for language in LANGUAGES.values()
        if probed.get(language.name)
    ]
    reason = None if pool is None else (pool.unavailable or pool.warning)
    return LanguagesResponse(
        backend=None if pool is None else pool.backend.name,
        available=bool(listed),
        reason=reason if pool is not None else "code verification is not enabled in this deployment",
        languages=listed,
    )
