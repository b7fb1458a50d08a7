"""The server installs from its wheel alone, as a user installs it (issue 26, item 8).

The sdist is built from this checkout and the wheel from the sdist (what `python -m build`
does, and what a packager does), so a file the sdist forgets fails the wheel too. The
wheel goes into an empty virtualenv with nothing else of this repository: not the client
(which no package index has), not the checkout on the path. From there the real
`reward-service serve` scores a math item, a Python program and a dataset's `io` tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devstack.subprocess_server import running_server

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
# Files of the checkout a user's sdist has no use for: CI's entry point, git's own list.
NOT_IN_SDIST = {".ci/run", ".gitignore"}


# Nothing of the checkout may leak into the fresh venv's view through the environment.
CLEAN_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}


def _run(*command: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=CLEAN_ENV,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def _tracked_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=False)
    names = [name for name in listed.stdout.split("\0") if name and (ROOT / name).is_file()]
    if listed.returncode != 0 or not names:
        pytest.skip("not a git checkout")
    return names


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Built from a copy of what git tracks, as a fresh clone has it: the build's own
    # leftovers (an egg-info) stay out of the checkout, and untracked files cannot help.
    source = tmp_path_factory.mktemp("source")
    for name in _tracked_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("dist")
    built = _run(sys.executable, "-m", "build", "--outdir", out, source)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def venv(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("venv") / "venv"
    assert _run(sys.executable, "-m", "venv", where).returncode == 0
    (wheel,) = dist.glob("reward_service-*.whl")
    installed = _run(where / "bin" / "python", "-m", "pip", "install", "--disable-pip-version-check", "-q", wheel)
    assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]
    return where


def test_the_sdist_holds_every_file_of_the_checkout(dist: Path) -> None:
    (sdist,) = dist.glob("reward_service-*.tar.gz")
    with tarfile.open(sdist) as archive:
        members = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    missing = set(_tracked_files()) - members - NOT_IN_SDIST
    assert not missing, f"the sdist lacks {sorted(missing)[:20]}"


def test_the_wheel_needs_no_client(venv: Path) -> None:
    python = venv / "bin" / "python"
    probe = _run(python, "-c", "import reward_service, reward_sandbox; import reward_client", cwd=venv)
    assert "No module named 'reward_client'" in probe.stderr
    version = _run(venv / "bin" / "reward-service", "--version", cwd=venv)
    assert version.returncode == 0 and "0.1.0" in version.stdout + version.stderr


def test_url_mode_without_the_client_says_what_to_install(venv: Path, tmp_path: Path) -> None:
    items = tmp_path / "items.jsonl"
    items.write_text('{"task": "math", "response": "\\\\boxed{2}", "ground_truth": "2"}\n')
    scored = _run(
        venv / "bin" / "reward-service", "score", items, "--url", "http://127.0.0.1:9", "-o", tmp_path / "out.jsonl"
    )
    assert scored.returncode != 0
    assert "pip install ./client" in scored.stderr
    assert "Traceback" not in scored.stderr


@pytest.fixture
def wheel_server(venv: Path, tmp_path: Path) -> Iterator[str]:
    env = {
        "REWARD_WORKERS": "1",
        "REWARD_SANDBOX_BACKEND": "bwrap",
        "REWARD_LOG_LEVEL": "warning",
        "REWARD_PROBLEMS_DIR": str(tmp_path / "problems"),
        "PYTHONPATH": "",  # running_server starts from this process's environment
    }
    # Run from an empty directory, so that nothing of the checkout can be imported.
    with running_server(env, command=(str(venv / "bin" / "reward-service"),), cwd=tmp_path) as url:
        yield url


def test_the_installed_wheel_scores_math_and_code(wheel_server: str) -> None:
    add = "```python\na, b = map(int, input().split())\nprint(a + b)\n```"
    items = [
        {"id": "math", "task": "math", "response": "so \\boxed{\\frac{1}{2}}", "ground_truth": "0.5"},
        {
            "id": "code",
            "task": "code",
            "response": add,
            "tests": {"kind": "stdio", "cases": [{"input": "1 2\n", "output": "3\n"}]},
        },
        {
            "id": "io",
            "task": "code",
            "response": add,
            "tests": {"kind": "io", "inputs": ["2 3\n", "10 -4\n"], "outputs": ["5\n", "7\n"]},
        },
    ]
    answer = httpx.post(f"{wheel_server}/score", json={"items": items}, timeout=120)
    assert answer.status_code == 200, answer.text
    results = {result["id"]: (result["status"], result["score"]) for result in answer.json()["results"]}
    # The io tests' second case is wrong on purpose: the program's 6 is not 7.
    assert results == {"math": ("correct", 1.0), "code": ("accepted", 1.0), "io": ("wrong_answer", 0.5)}
