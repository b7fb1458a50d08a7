"""Sandbox uids are leased host-wide: no two sessions of any processes share one, none leaks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from reward_sandbox.backends.base import SandboxUnavailable
from reward_sandbox.uids import UidLeases


def test_two_processes_never_get_the_same_uid(tmp_path: Path) -> None:
    # Two lease tables stand for two service processes: flock locks conflict between open files.
    first, second = UidLeases(70000, 4, tmp_path), UidLeases(70000, 4, tmp_path)
    taken = [first.claim(), first.claim(), second.claim(), second.claim()]
    assert sorted(taken) == [70000, 70001, 70002, 70003]
    with pytest.raises(SandboxUnavailable, match="70000-70003"):
        second.claim()
    first.release(taken[0])
    assert second.claim() == taken[0]


def test_a_dead_process_leaves_its_uids_free(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"from pathlib import Path; from reward_sandbox.uids import UidLeases; "
            f"leases = UidLeases(70000, 2, Path({str(tmp_path)!r})); print(leases.claim(), leases.claim(), flush=True); "
            "import time; time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and len(holder.stdout.readline().split()) == 2
        with pytest.raises(SandboxUnavailable):
            UidLeases(70000, 2, tmp_path).claim()
    finally:
        holder.kill()
        holder.wait()
    assert UidLeases(70000, 2, tmp_path).claim() in (70000, 70001)
