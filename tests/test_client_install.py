"""The client installs light: httpx and its own small dependencies, nothing of the server, no torch or numpy."""

from __future__ import annotations

import importlib.metadata
import json
import re
import subprocess
import sys

from tests.conftest import REPO

HTTPX_STACK = {
    "reward-client",
    "httpx",
    "httpcore",
    "anyio",
    "idna",
    "certifi",
    "h11",
    "sniffio",
    "typing-extensions",
    "exceptiongroup",
}
HEAVY = {"numpy", "torch", "reward_service", "fastapi", "pydantic", "sympy", "trl", "verl", "openrlhf", "transformers"}


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[(]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_declared_requirements_are_httpx_only() -> None:
    assert [_name(r) for r in importlib.metadata.requires("reward-client") or []] == ["httpx"]


def test_client_and_adapters_import_without_heavy_modules() -> None:
    code = (
        "import sys, reward_client, reward_client.trl, reward_client.verl, reward_client.openrlhf\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({sorted(HEAVY)!r})))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/").stdout
    assert loaded.strip() == "[]"


def test_a_fresh_install_resolves_to_the_httpx_stack() -> None:
    """What `pip install ./client` would install into an empty environment (resolved against the index)."""
    report = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--ignore-installed",
            "--no-build-isolation",
            "--quiet",
            "--report",
            "-",
            str(REPO / "client"),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=240,
    ).stdout
    names = {item["metadata"]["name"].lower().replace("_", "-") for item in json.loads(report)["install"]}
    assert "reward-client" in names and "httpx" in names
    assert names <= HTTPX_STACK, f"unexpected dependencies: {sorted(names - HTTPX_STACK)}"
