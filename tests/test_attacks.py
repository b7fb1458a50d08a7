"""The adversarial suite: every attack in tests/attacks/ (one file each, see its README),
on both real sandbox backends, through the service's /score."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from conftest import code_item, score
from fastapi.testclient import TestClient

ATTACKS = sorted(path.stem for path in (Path(__file__).parent / "attacks").glob("*.py") if path.stem != "__init__")


def _load(name: str) -> ModuleType:
    return importlib.import_module(f"attacks.{name}")


def _neighbour(index: int, spec: tuple[Any, ...], language: str) -> dict[str, Any]:
    program, tests, *rest = spec
    extra = {"limits": rest[0]} if rest else {}
    return code_item(f"neighbour{index}", program, tests, language=language, **extra)


@pytest.mark.parametrize("name", ATTACKS)
def test_attack_gets_its_verdict(sandbox_client: TestClient, name: str) -> None:
    attack = _load(name)
    backend = sandbox_client.get("/languages").json()["backend"]
    if backend not in getattr(attack, "BACKENDS", ("bwrap", "docker")):
        pytest.skip(f"{name} does not apply to the {backend} backend")
    language = getattr(attack, "LANGUAGE", "python")
    extra: dict[str, Any] = {}
    if hasattr(attack, "LIMITS"):
        extra["limits"] = attack.LIMITS
    items = [code_item("attack", attack.PROGRAM, attack.TESTS, language=language, **extra)]
    items += [_neighbour(i, spec, language) for i, spec in enumerate(getattr(attack, "NEIGHBOURS", []))]
    results = score(sandbox_client, items)
    verdict = results[0]
    expected_score = getattr(attack, "SCORE", 0.0)
    assert verdict["status"] in attack.EXPECT and verdict["score"] == pytest.approx(expected_score), verdict
    for neighbour in results[1:]:
        assert neighbour["status"] == "accepted", (neighbour, verdict)
