"""Interactive problems on both sandbox backends: the program and the interactor wired both
ways, the interactor's exit code as the verdict, deadlocks as time_limit, and a program
that can neither read the interactor's data nor turn a wrong answer into a null by killing it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import code_item, score
from fastapi.testclient import TestClient

JUDGES = Path(__file__).parent / "judges"
INTERACTOR = {"language": "cpp", "source": (JUDGES / "guess_interactor.cpp").read_text()}
PY_INTERACTOR = {"language": "python", "source": (JUDGES / "guess_interactor.py").read_text()}
INTERACTORS = pytest.mark.parametrize("interactor", [INTERACTOR, PY_INTERACTOR], ids=["cpp", "python"])

BINARY_SEARCH = """
lo, hi = 1, 1000
while True:
    mid = (lo + hi) // 2
    print("?", mid, flush=True)
    reply = input()
    if reply == "=":
        print("!", mid, flush=True)
        break
    lo, hi = (mid + 1, hi) if reply == ">" else (lo, mid - 1)
"""


def guesses(*secrets: int, interactor: dict[str, Any] = INTERACTOR) -> dict[str, Any]:
    cases = [{"input": f"{secret}\n", "answer": ""} for secret in secrets]
    return {"kind": "interactive", "cases": cases, "interactor": interactor}


@INTERACTORS
def test_a_binary_search_talks_its_way_to_accepted(sandbox_client: TestClient, interactor: dict[str, Any]) -> None:
    items = [code_item("bs", BINARY_SEARCH, guesses(1, 500, 777, 1000, interactor=interactor))]
    [result] = score(sandbox_client, items)
    assert (result["status"], result["score"]) == ("accepted", 1.0), result
    assert "found in" in result["details"]["tests"][0]["judge_message"]


def test_a_wrong_final_answer_is_wrong_answer(sandbox_client: TestClient) -> None:
    program = "print('? 500', flush=True)\ninput()\nprint('! 500', flush=True)"
    [result] = score(sandbox_client, [code_item("w", program, guesses(500, 2))])
    assert (result["status"], result["score"]) == ("wrong_answer", 0.5), result


def test_a_deadlock_is_the_programs_time_limit_not_a_hang(sandbox_client: TestClient) -> None:
    program = "input()"  # waits for the interactor, which waits for a query
    item = code_item("d", program, guesses(3), limits={"time_s": 1})
    [result] = score(sandbox_client, [item])
    assert (result["status"], result["score"]) == ("time_limit", 0.0), result


@INTERACTORS
def test_the_program_cannot_read_the_interactors_data(sandbox_client: TestClient, interactor: dict[str, Any]) -> None:
    program = """
import os, re
found = set()

def peek(path):
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a pipe must not block the search
    try:
        return os.read(fd, 4096)
    finally:
        os.close(fd)

for pid in [p for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()]:
    for part in ("fd", "environ", "cmdline", "mem", "maps"):
        path = f"/proc/{pid}/{part}"
        targets = [os.path.join(path, fd) for fd in os.listdir(path)] if part == "fd" and os.access(path, os.R_OK) else [path]
        for target in targets:
            try:
                found.update(int(n) for n in re.findall(rb"\\b[0-9]{3}\\b", peek(target)))
            except (OSError, ValueError):
                pass
for folder, _, names in os.walk("/box"):
    for name in names:
        try:
            found.update(int(n) for n in re.findall(rb"\\b[0-9]{3}\\b", peek(os.path.join(folder, name))))
        except (OSError, ValueError):
            pass
# It knows the number is between 600 and 620 (its own source names no other number).
candidates = sorted(n for n in found if 600 < n < 620)
print("!", candidates[0] if candidates else 1, flush=True)
"""
    [result] = score(sandbox_client, [code_item("thief", program, guesses(613, interactor=interactor))])
    assert (result["status"], result["score"]) == ("wrong_answer", 0.0), result


def test_the_interactors_memory_is_its_own(sandbox_client: TestClient) -> None:
    """A correct 200 MB program beside a 100 MB interactor got memory_limit: the two shared
    the program's limit. Each now runs under its own."""
    interactor = {**PY_INTERACTOR, "source": "ballast = bytearray(b'\\x01') * (100 << 20)\n" + PY_INTERACTOR["source"]}
    program = "ballast = bytearray(b'\\x01') * (200 << 20)\n" + BINARY_SEARCH
    item = code_item("big", program, guesses(321, interactor=interactor), limits={"memory_mb": 256})
    [result] = score(sandbox_client, [item])
    assert (result["status"], result["score"]) == ("accepted", 1.0), result


def test_killing_the_interactor_costs_the_program_its_test(sandbox_client: TestClient) -> None:
    program = """
import os, signal
for pid in [int(p) for p in os.listdir("/proc") if p.isdigit()]:
    if pid not in (1, os.getpid()):
        for sig in (signal.SIGSEGV, signal.SIGKILL):
            try:
                os.kill(pid, sig)
            except OSError:
                pass
print("! 1", flush=True)
"""
    [result] = score(sandbox_client, [code_item("killer", program, guesses(5))])
    assert result["score"] == 0.0 and result["status"] in {"runtime_error", "wrong_answer"}, result


@pytest.mark.parametrize(
    ("interactor", "error"),
    [
        ({"language": "python", "source": "import sys; sys.exit(3)"}, "failure"),
        ({"language": "cpp", "source": "int main() { return 3; }"}, "failure"),
        ({"language": "cpp", "source": "int main( {"}, "compile"),
    ],
)
def test_a_broken_interactor_is_sandbox_error(
    sandbox_client: TestClient, interactor: dict[str, Any], error: str
) -> None:
    [result] = score(sandbox_client, [code_item("b", BINARY_SEARCH, guesses(5, interactor=interactor))])
    assert (result["status"], result["score"]) == ("sandbox_error", None), result
    assert error in str(result["details"]), result
