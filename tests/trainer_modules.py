"""A module of a pinned trainer release, loaded from its installed files without importing the trainer.

veRL's and OpenRLHF's package `__init__`s import torch, Ray and vLLM; the modules that
make the HTTP calls import only `requests` or `aiohttp`. Loading those files by path runs
the release's own calling code, byte for byte, on a CPU machine without the rest.

The releases are installed without their dependencies (`pip install --no-deps
verl==0.9.1 openrlhf==0.11.2`, plus `aiohttp` for OpenRLHF's caller; `requests`, veRL's,
is already a dev dependency's). Both wheels also install a top-level `tests` package into
site-packages, which shadows this repository's tests/ (`from tests.conftest import ...`
fails): it must be removed after installing them.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from importlib import metadata
from pathlib import Path
from types import ModuleType

import pytest


def release_file(distribution: str, version: str, relative: str) -> Path:
    """The path of ``relative`` in the installed ``distribution``; skips (fails in CI) when it is not installed."""
    try:
        installed = metadata.distribution(distribution)
    except metadata.PackageNotFoundError:
        installed = None
    problem = None
    if installed is None:
        problem = f"{distribution} is not installed"
    elif installed.version != version:
        problem = f"{distribution} {installed.version} is installed; these tests pin {version}"
    if problem is not None:
        message = f"{problem}: pip install --no-deps {distribution}=={version}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    assert installed is not None
    path = Path(str(installed.locate_file(relative)))
    assert path.is_file(), f"{distribution}=={version} has no {relative}"
    return path


def load_module(name: str, path: Path, package_dir: Path | None = None) -> ModuleType:
    """Load ``path`` as module ``name`` (a package when ``package_dir`` is given, so relative imports work)."""
    spec = importlib.util.spec_from_file_location(
        name, path, submodule_search_locations=[str(package_dir)] if package_dir is not None else None
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
