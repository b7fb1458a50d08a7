"""docs/architecture.md names every module of the server and the sandbox, so it cannot drift silently.

A module counts as named when the page has its path (`reward_service/api/auth.py`, or
`api/auth.py` inside its package), or its name (`auth`, `auth.py`) on a line that also
names its folder (a row of the "Where everything else is" table).
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("reward_service", "reward_sandbox")


def _named(module: Path, page: str) -> bool:
    path = module.relative_to(REPO).as_posix()
    inside = path.split("/", 1)[1]
    if path in page or inside in page:
        return True
    folder = module.parent.relative_to(REPO).as_posix()
    folders = {f"{folder}/"} | ({f"{folder.split('/', 1)[1]}/"} if "/" in folder else set())
    names = (f"`{module.stem}`", f"{module.stem}.py")
    return any(
        any(name in line for name in names) and any(place in line for place in folders) for line in page.splitlines()
    )


def test_every_module_is_on_the_architecture_page() -> None:
    page = (REPO / "docs" / "architecture.md").read_text()
    modules = [
        module
        for package in PACKAGES
        for module in sorted((REPO / package).rglob("*.py"))
        if module.name != "__init__.py"
    ]
    missing = [module.relative_to(REPO).as_posix() for module in modules if not _named(module, page)]
    assert not missing, f"name these on docs/architecture.md: {missing}"
