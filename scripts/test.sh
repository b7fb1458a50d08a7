#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian machine: installs what the tests
# need into a project virtualenv (.venv), then runs pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${REWARD_TEST_VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[dev]"

exec "$VENV/bin/python" -m pytest "$@"
