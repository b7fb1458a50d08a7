"""GET /languages: what this deployment can run, probed inside its sandboxes (the API's own, or the code workers')."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from reward_sandbox import LANGUAGES
from reward_service.api.deps import scoring_context
from reward_service.context import ScoringContext
from reward_service.schemas.languages import LanguageInfo, LanguagesResponse

router = APIRouter(tags=["code"])


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
