"""GET /languages: what a deployment runs, per language."""

from __future__ import annotations

from pydantic import BaseModel, Field


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
