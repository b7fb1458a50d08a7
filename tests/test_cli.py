"""The `reward-service` command itself: what it says about its own version."""

from __future__ import annotations

import subprocess
import sys

from reward_service import __version__


def test_version_is_printed_and_exits_0() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "reward_service.cli", "--version"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"reward-service {__version__}"
