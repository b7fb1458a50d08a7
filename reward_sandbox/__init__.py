"""Running untrusted programs: isolation backends, language recipes, the in-sandbox driver.

The public surface: `Limits`, `LANGUAGES`, `SandboxPool` and `create_backend`.
Nothing here knows about tests or scores; reward_service/verifiers/code/ does.
"""

from reward_sandbox.backends import SandboxUnavailable, create_backend
from reward_sandbox.languages import LANGUAGES, Language, resolve_language
from reward_sandbox.limits import Limits
from reward_sandbox.pool import SandboxPool
from reward_sandbox.probe import probe_languages
from reward_sandbox.session import SessionBroken

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
