"""Language consistency: the share of a chain of thought's words in a target language (R1's language reward)."""

from reward_service.verifiers.language.codes import SUPPORTED_LANGUAGE_CODES, is_supported_language
from reward_service.verifiers.language.share import LanguageShare, language_shares
from reward_service.verifiers.language.text import reasoning_text

__all__ = ["SUPPORTED_LANGUAGE_CODES", "LanguageShare", "is_supported_language", "language_shares", "reasoning_text"]
