"""Running untrusted programs: isolation backends, language recipes, the in-sandbox driver.

The public surface: `Limits`, `LANGUAGES`, `SandboxPool` and `create_backend`.
Nothing here knows about tests or scores; service/verifiers/code/ does.
"""

from sandbox.backends import SandboxUnavailable, create_backend
from sandbox.languages import LANGUAGES, Language, resolve_language
from sandbox.limits import Limits
from sandbox.pool import SandboxPool
from sandbox.probe import probe_languages
from sandbox.session import SessionBroken

__all__ = [
    "LANGUAGES",
    "Language",
    "Limits",
    "SandboxPool",
    "SandboxUnavailable",
    "SessionBroken",
    "create_backend",
    "probe_languages",
    "resolve_language",
]
