#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian machine: installs and starts the
# real components the tests need (scripts/provision.sh: Docker engine, Redis,
# bubblewrap, the sandbox image), installs the project into a virtualenv (.venv),
# then runs pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/provision.sh

VENV="${REWARD_TEST_VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[dev,examples,trainers,docker,remote]" -e ./client
# The trainers' own calling code, pinned (tests/trainer_modules.py): installed without their
# dependencies (torch, Ray, vLLM), since the tests load only the modules that make the calls.
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps verl==0.9.1 openrlhf==0.11.2
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "aiohttp>=3.9"
# Both wheels ship a top-level `tests` package that would shadow this repository's tests/.
rm -rf "$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/tests"

# veRL's configuration and reward loop (tests/test_verl_recipe.py) run in a virtualenv of their
# own: veRL 0.9.1 needs hydra-core, whose antlr4 runtime breaks the service's math parser, and
# an older transformers than TRL's. Only the client goes in beside it.
VERL_VENV="${REWARD_VERL_VENV:-.venv-verl}"
if [ ! -x "$VERL_VENV/bin/python" ]; then
    python3 -m venv "$VERL_VENV"
fi
"$VERL_VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/verl-requirements.txt -e ./client
"$VERL_VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps verl==0.9.1

# Fast checks before the tests: lint and format (ruff), types (mypy), and the layer
# contracts (import-linter: pyproject.toml [tool.importlinter]).
CHECKED=(reward_service reward_sandbox devstack client benchmarks tests examples scripts)
"$VENV/bin/ruff" check "${CHECKED[@]}"
"$VENV/bin/ruff" format --check "${CHECKED[@]}"
"$VENV/bin/mypy" reward_service reward_sandbox devstack
"$VENV/bin/lint-imports" --no-cache
# The documentation site: a broken link or a page missing from the nav fails.
SITE_DIR="$(mktemp -d)"
"$VENV/bin/mkdocs" build --strict --quiet --site-dir "$SITE_DIR"
rm -rf "$SITE_DIR"

exec "$VENV/bin/python" -m pytest "$@"
