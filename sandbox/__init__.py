"""Running untrusted programs: isolation backends, language recipes, the in-sandbox driver.

The public surface: `Limits`, `LANGUAGES`, `SandboxPool` and `create_backend`.
Nothing here knows about tests or scores; service/verifiers/code/ does.
"""

from sandbox.backends import SandboxUnavailable, create_backend
from sandbox.languages import LANGUAGES, Language, resolve_language
from sandbox.limits import Limits
from sandbox.pool import SandboxPool

__all__ = ["LANGUAGES", "Language", "Limits", "SandboxPool", "SandboxUnavailable", "create_backend", "resolve_language"]
