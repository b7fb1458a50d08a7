"""Checker programs (special judges) on both sandbox backends: testlib's convention, partial
points, a checker's own failures as sandbox_error, and a program that cannot reach the
reference answers or the checker."""

from __future__ import annotations

import secrets
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import code_item, score
from fastapi.testclient import TestClient
from pydantic import ValidationError

from reward_sandbox import Limits, resolve_language
from reward_service.exceptions import Unsupported
from reward_service.settings import Settings
from reward_service.verifiers.code.compare import output_matches
from reward_service.verifiers.code.kinds import RunContext
from reward_service.verifiers.code.kinds.judged import JudgeProgram

JUDGES = Path(__file__).parent / "judges"
TESTLIB = (JUDGES / "testlib_subset.h").read_text()
CPP_CHECKER = {"language": "cpp", "source": (JUDGES / "sum_checker.cpp").read_text(), "files": {"testlib.h": TESTLIB}}
PY_CHECKER = {"language": "python", "source": (JUDGES / "sum_checker.py").read_text()}

PAIR_LOW_FIRST = "n = int(input())\nprint(0, n)"
PAIR_OTHER = "n = int(input())\nprint(n - 1, 1)"


def sums(checker: dict[str, Any], *ns: int) -> dict[str, Any]:
    return {"kind": "checker", "cases": [{"input": f"{n}\n", "answer": f"0 {n}\n"} for n in ns], "checker": checker}


def exact_checker(exit_on_mismatch: int = 1, extra: str = "") -> dict[str, Any]:
    source = f"""import sys
{extra}
out = open(sys.argv[2]).read().split()
ans = open(sys.argv[3]).read().split()
sys.exit(0 if out == ans else {exit_on_mismatch})
"""
    return {"language": "python", "source": source}


def test_a_testlib_checker_accepts_every_right_answer_and_explains_a_wrong_one(sandbox_client: TestClient) -> None:
    items = [
        code_item("low", PAIR_LOW_FIRST, sums(CPP_CHECKER, 5, 10, 1000)),
        code_item("other", PAIR_OTHER, sums(CPP_CHECKER, 5, 10, 1000)),
        code_item("wrong", "n = int(input())\nprint(1, 1)", sums(CPP_CHECKER, 2, 5)),
        code_item("garbled", "input()\nprint('three four')", sums(CPP_CHECKER, 7)),
    ]
    low, other, wrong, garbled = score(sandbox_client, items)
    assert (low["status"], low["score"]) == ("accepted", 1.0), low
    assert (other["status"], other["score"]) == ("accepted", 1.0), other
    assert (wrong["status"], wrong["score"]) == ("wrong_answer", 0.5), wrong
    assert "1 + 1 != 5" in wrong["details"]["tests"][1]["judge_message"]
    assert garbled["status"] == "wrong_answer" and garbled["details"]["tests"][0]["presentation_error"] is True


def test_the_operators_testlib_header_serves_a_checker_that_ships_none(sandbox_client: TestClient) -> None:
    # REWARD_TESTLIB_HEADER is set for sandbox_client (tests/conftest.py).
    bare = {"language": "cpp", "source": CPP_CHECKER["source"]}
    [result] = score(sandbox_client, [code_item("bare", PAIR_OTHER, sums(bare, 5, 9))])
    assert (result["status"], result["score"]) == ("accepted", 1.0), result


def test_a_problems_own_testlib_header_wins_over_the_operators(sandbox_client: TestClient) -> None:
    own = "#define PROBLEMS_OWN_TESTLIB 1\n" + TESTLIB
    source = CPP_CHECKER["source"] + "\n#ifndef PROBLEMS_OWN_TESTLIB\n#error the operator's header was used\n#endif\n"
    checker = {"language": "cpp", "source": source, "files": {"testlib.h": own}}
    [result] = score(sandbox_client, [code_item("own", PAIR_OTHER, sums(checker, 5))])
    assert (result["status"], result["score"]) == ("accepted", 1.0), result


def test_without_the_setting_a_testlib_checker_names_it() -> None:
    language = resolve_language("python")
    assert language is not None
    context = RunContext(language, Limits(), "/harness", "nonce")
    program = JudgeProgram(language="cpp", source=CPP_CHECKER["source"])
    with pytest.raises(Unsupported, match="REWARD_TESTLIB_HEADER"):
        program.driver_block("checker", context)
    offered = program.driver_block("checker", replace(context, judge_library=(("testlib.h", TESTLIB),)))
    assert offered["files"]["testlib.h"] == TESTLIB
    # A Python judge, or a C++ one that includes no testlib.h, is given nothing.
    plain = JudgeProgram(language="cpp", source="int main() { return 0; }").driver_block("checker", context)
    assert set(plain["files"]) == {"checker.cpp"}


def test_an_unreadable_testlib_header_stops_start_up(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="REWARD_TESTLIB_HEADER"):
        Settings(testlib_header=tmp_path / "missing.h")


def test_the_checker_is_compiled_once_per_session(sandbox_client: TestClient) -> None:
    problem = sums(CPP_CHECKER, 11, 12, 13)
    results = [
        score(sandbox_client, [code_item(f"s{k}", f"n = int(input())\nprint({k}, n - {k})", problem)])[0]
        for k in range(6)
    ]
    assert all(result["status"] == "accepted" for result in results), results
    compiled = [result for result in results if "checker_compile_s" in result["details"]]
    assert len(compiled) <= 2  # the pool's two sessions, each compiling it at most once


def test_partial_points_from_a_python_checker(sandbox_client: TestClient) -> None:
    program = "n = int(input())\nprint(n, 0) if n % 2 else print(0, n)"
    [result] = score(sandbox_client, [code_item("p", program, sums(PY_CHECKER, 1, 2, 3, 4))])
    assert result["status"] == "wrong_answer"
    assert result["score"] == pytest.approx((0.5 + 1 + 0.5 + 1) / 4)
    assert [test.get("points") for test in result["details"]["tests"]] == [0.5, None, 0.5, None]


@pytest.mark.parametrize(
    "checker",
    [
        pytest.param(exact_checker(exit_on_mismatch=3), id="reports-failure"),
        pytest.param(exact_checker(extra="import os; os.abort()"), id="crashes"),
        pytest.param(exact_checker(extra="while True: pass"), id="hangs"),
        pytest.param(exact_checker(extra="import sys\nwhile True: sys.stdout.write('x' * 65536)"), id="floods"),
        pytest.param({"language": "cpp", "source": "int main( {"}, id="does-not-compile"),
    ],
)
def test_a_failing_checker_is_sandbox_error_never_a_score(sandbox_client: TestClient, checker: dict[str, Any]) -> None:
    tests = {"kind": "checker", "cases": [{"input": "", "answer": "no"}], "checker": checker}
    [result] = score(sandbox_client, [code_item("c", "print('yes')", tests)])
    assert (result["status"], result["score"]) == ("sandbox_error", None), result
    # A judge fails the same way on any session: judged once, not run again.
    assert result["details"].get("judge_failed") is True, result
    assert "attempts" not in result["details"] and "sandbox_retried_after" not in result["details"], result


def test_a_checker_in_a_language_not_run_here_is_the_items_error(sandbox_client: TestClient) -> None:
    tests = {
        "kind": "checker",
        "cases": [{"input": "", "answer": "no"}],
        "checker": {"language": "cobol", "source": "x"},
    }
    [result] = score(sandbox_client, [code_item("c", "print('yes')", tests)])
    assert (result["status"], result["score"]) == ("error", None), result
    assert "tests.checker.language" in result["details"]["error"]


def test_a_checker_compiles_under_its_own_limits_not_the_programs(sandbox_client: TestClient) -> None:
    """With memory_mb of 128 or less, a checker including <bits/stdc++.h> was OOM-killed while
    compiling under the program's limit, and correct programs scored null."""
    source = "#include <bits/stdc++.h>\n" + (JUDGES / "sum_checker.cpp").read_text()
    checker = {**CPP_CHECKER, "source": source}
    item = code_item("small", PAIR_LOW_FIRST, sums(checker, 3, 4), limits={"memory_mb": 32})
    [result] = score(sandbox_client, [item])
    assert (result["status"], result["score"]) == ("accepted", 1.0), result


def test_the_program_never_reads_the_answers_or_touches_the_checker(sandbox_client: TestClient) -> None:
    secret = secrets.token_hex(16)
    # Looks everywhere it could: the checker's directory, the whole writable tree, its parent's memory.
    program = """
import os, signal, subprocess, sys
found = None
for root in ("/box", "/tmp", "/dev/shm", os.path.dirname(os.getcwd()), "/proc/1"):
    for folder, _, names in os.walk(root):
        for name in names:
            try:
                text = open(os.path.join(folder, name), errors="ignore").read(1 << 20)
            except OSError:
                continue
            if len(text) == 32 and all(c in "0123456789abcdef" for c in text.strip()):
                found = text.strip()
# Try to break the checker that runs next: replace it, and leave a process that kills everything.
for folder in ("../c", "/box/c"):
    try:
        os.makedirs(folder, exist_ok=True)
        open(os.path.join(folder, "checker.py"), "w").write("import sys; sys.exit(0)")
    except OSError:
        pass
parent = os.getpid()
if os.fork() == 0:
    os.setsid()
    while True:
        for pid in os.listdir("/proc"):
            if pid.isdigit() and int(pid) not in (1, os.getpid(), parent):
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except OSError:
                    pass
print(found or "nothing")
"""
    tests = {"kind": "checker", "cases": [{"input": "", "answer": secret}], "checker": exact_checker()}
    [result] = score(sandbox_client, [code_item("thief", program, tests)])
    # Not accepted (it never saw the answer), and not sandbox_error (it could not stop the checker).
    assert (result["status"], result["score"]) == ("wrong_answer", 0.0), result


def test_all_or_nothing_stops_at_the_first_failed_test(sandbox_client: TestClient) -> None:
    program = "n = int(input())\nprint(0, n if n != 3 else 0)"
    body = {
        "items": [code_item("a", program, sums(CPP_CHECKER, 1, 2, 3, 4, 5, 6))],
        "options": {"all_or_nothing": True},
    }
    response = sandbox_client.post("/score", json=body)
    [result] = response.json()["results"]
    assert (result["status"], result["score"]) == ("wrong_answer", 0.0), result
    statuses = [test["status"] for test in result["details"]["tests"]]
    assert statuses == ["accepted", "accepted", "wrong_answer", "skipped", "skipped", "skipped"]
    assert result["details"]["total"] == 6


def test_support_file_names_are_checked(sandbox_client: TestClient) -> None:
    for name in ("../testlib.h", "answer.txt", ".hidden", "a/b"):
        checker = {**CPP_CHECKER, "files": {name: "x"}}
        body = {"items": [code_item("x", PAIR_LOW_FIRST, sums(checker, 1))]}
        response = sandbox_client.post("/score", json=body)
        assert response.status_code == 422, (name, response.text)
        assert "files" in str(response.json()["detail"][0]["loc"])


@pytest.mark.parametrize(
    ("compare", "got", "want", "same"),
    [
        ("lines", "1 2\n", "1\n2\n", False),
        ("tokens", "1 2\n", "1\n2\n", True),
        ("tokens", "1 2 3", "1 2", False),
        ("tokens", "YES", "yes", False),
        ("tokens_ignore_case", "YES\nNo", "yes no", True),
        ("tokens_ignore_case", "yes", "yess", False),
        # testlib's comparators: ASCII case only, and blanks are space, tab, CR and LF.
        ("tokens_ignore_case", "STRASSE", "straße", False),
        ("tokens_ignore_case", "\u212a", "k", False),  # the Kelvin sign
        ("tokens", "1\u00a02", "1 2", False),  # a no-break space separates nothing
        ("tokens", "1\v2", "1 2", False),
        ("tokens", "1\f2", "1 2", False),
        ("tokens", "1\t2\r\n", "1 2", True),
    ],
)
def test_comparison_modes(compare: str, got: str, want: str, same: bool) -> None:
    assert output_matches(got, want, compare)[0] is same


def test_a_stdio_test_names_its_comparison(sandbox_client: TestClient) -> None:
    tests = {"kind": "stdio", "compare": "tokens_ignore_case", "cases": [{"input": "", "output": "yes\n1 2"}]}
    [result] = score(sandbox_client, [code_item("t", "print('YES 1')\nprint(2)", tests)])
    assert result["status"] == "accepted", result
