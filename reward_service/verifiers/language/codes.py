"""The language codes a target may name: ISO 639-1 codes of the languages lingua detects."""

from __future__ import annotations

from lingua import Language

SUPPORTED_LANGUAGE_CODES: frozenset[str] = frozenset(lang.iso_code_639_1.name.lower() for lang in Language.all())


def is_supported_language(code: str) -> bool:
    return code in SUPPORTED_LANGUAGE_CODES


def language_of_code(code: str) -> Language:
    for lang in Language.all():
        if lang.iso_code_639_1.name.lower() == code:
            return lang
    raise ValueError(f"unknown language code {code!r}")


def code_of(lang: Language) -> str:
    return lang.iso_code_639_1.name.lower()
