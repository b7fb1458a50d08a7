"""Which languages a deployment's sandbox really runs: each runtime's version, asked inside it."""

from __future__ import annotations

import logging

from reward_sandbox.backends import SandboxUnavailable
from reward_sandbox.languages import LANGUAGES
from reward_sandbox.pool import SandboxPool
from reward_sandbox.session import SessionBroken

log = logging.getLogger(__name__)


async def probe_languages(pool: SandboxPool) -> dict[str, str | None]:
    """Which languages this deployment's sandbox really runs, with their versions."""
    names = list(LANGUAGES)
    payload = {
        "nonce": "languages",
        "runs": [{"argv": list(LANGUAGES[name].probe)} for name in names],
        "limits": {
            "time_s": 10,
            "wall_s": 21,
            "memory_mb": 1024,
            "output_kb": 64,
            "file_kb": 1024,
            "address_space_mb": None,
            "processes": None,
        },
    }
    try:
        reply = await pool.execute(payload, 60)
    except (SandboxUnavailable, SessionBroken):
        return {name: None for name in names}
    found: dict[str, str | None] = {}
    for name, run in zip(names, reply.get("runs", []), strict=False):
        text = (run.get("stdout") or run.get("stderr") or "").strip().splitlines()
        found[name] = (text[0] if text else "available") if run.get("exit_code") == 0 else None
    log.info(
        "sandbox languages: %s",
        "; ".join(
            f"{name}: {version}" if version else f"{name}: not available ({LANGUAGES[name].install})"
            for name, version in found.items()
        ),
    )
    return found
