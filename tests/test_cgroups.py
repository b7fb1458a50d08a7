"""The per-session memory limit really lands in the kernel's files, in any order of change."""

from __future__ import annotations

import logging
import os

import pytest

from reward_sandbox.cgroups import DRIVER_HEADROOM_MB, CgroupRoot


def _limit_files(group_dir: os.PathLike[str], version: int) -> list[str]:
    names = ["memory.max"] if version == 2 else ["memory.limit_in_bytes", "memory.memsw.limit_in_bytes"]
    paths = [os.path.join(group_dir, name) for name in names]
    return [path for path in paths if os.path.exists(path)]


def test_memory_limit_is_set_lowered_and_raised(caplog: pytest.LogCaptureFixture) -> None:
    root = CgroupRoot.create()
    if isinstance(root, str):
        if os.environ.get("CI"):
            pytest.fail(f"CI runs as root with cgroups: {root}")
        pytest.skip(root)
    group = root.session(pids_max=64)
    try:
        files = _limit_files(group.memory_dir, group.version)
        assert files
        with caplog.at_level(logging.WARNING, logger="reward_sandbox.cgroups"):
            # A new group is unlimited, so the first limit lowers; then up, then down again.
            for megabytes in (100, 300, 50):
                group.set_memory_mb(megabytes)
                expected = (megabytes + DRIVER_HEADROOM_MB) * 1024 * 1024
                for path in files:
                    with open(path) as handle:
                        assert int(handle.read()) == expected, path
        assert not caplog.records, [r.getMessage() for r in caplog.records]
    finally:
        group.remove()
        root.close()
