"""C, Java, Go, Rust and PyPy on both sandbox backends: every verdict, checker and
interactive tests, judges written in each, call and assert tests where a runner exists,
and the language-independent attacks (a process bomb, a flood of output, the network,
other files)."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import code_item, score, stdio
from fastapi.testclient import TestClient
from language_programs import NEW_LANGUAGES, Programs
from test_code_adversarial import assert_service_still_scores, wait_until_gone

from reward_sandbox import LANGUAGES as RECIPES
from reward_sandbox import Limits, resolve_language
from reward_service.verifiers.code.extract import extract_program
from reward_service.verifiers.code.kinds import RunContext
from reward_service.verifiers.code.kinds.judged import JudgeProgram
from reward_service.verifiers.code.limits import CompileSettings, compile_limits, judge_limits

JUDGES = Path(__file__).parent / "judges"
PY_CHECKER = {"language": "python", "source": (JUDGES / "sum_checker.py").read_text()}
INTERACTOR = {"language": "python", "source": (JUDGES / "guess_interactor.py").read_text()}
BY_NAME = {programs.language: programs for programs in NEW_LANGUAGES}
LANGUAGES = pytest.mark.parametrize("programs", NEW_LANGUAGES, ids=[p.language for p in NEW_LANGUAGES])


def sums(checker: dict[str, Any], *ns: int) -> dict[str, Any]:
    return {"kind": "checker", "cases": [{"input": f"{n}\n", "answer": f"0 {n}\n"} for n in ns], "checker": checker}


def guesses(*secrets: int) -> dict[str, Any]:
    return {"kind": "interactive", "cases": [{"input": str(s)} for s in secrets], "interactor": INTERACTOR}


@LANGUAGES
def test_every_verdict(sandbox_client: TestClient, programs: Programs) -> None:
    tests = stdio(("1 2", "3"), ("40 2", "42"))
    endless = {"time_s": 1}
    items = [
        code_item("add", programs.add, tests, language=programs.language),
        code_item("wrong", programs.wrong, tests, language=programs.language),
        code_item("raises", programs.runtime_error, tests, language=programs.language),
        code_item("slow", programs.time_limit, tests, language=programs.language, limits=endless),
        code_item("greedy", programs.memory_limit, tests, language=programs.language, limits={"time_s": 8}),
        code_item("chatty", programs.output_limit, tests, language=programs.language, limits={"output_kb": 64}),
    ]
    if programs.compile_error is not None:
        items.append(code_item("broken", programs.compile_error, tests, language=programs.language))
    results = score(sandbox_client, items)
    statuses = {result["id"]: result["status"] for result in results}
    expected = {
        "add": "accepted",
        "wrong": "wrong_answer",
        "raises": "runtime_error",
        "slow": "time_limit",
        "greedy": "memory_limit",
        "chatty": "output_limit",
    }
    if programs.compile_error is not None:
        expected["broken"] = "compile_error"
    assert statuses == expected, results
    assert results[0]["score"] == 1.0 and all(result["score"] == 0.0 for result in results[1:]), results


@LANGUAGES
def test_checker_and_interactive_tests(sandbox_client: TestClient, programs: Programs) -> None:
    checked, interacted = score(
        sandbox_client,
        [
            code_item("pair", programs.pair, sums(PY_CHECKER, 5, 1000), language=programs.language),
            code_item("guess", programs.guess, guesses(1, 500, 613, 1000), language=programs.language),
        ],
    )
    assert (checked["status"], checked["score"]) == ("accepted", 1.0), checked
    assert (interacted["status"], interacted["score"]) == ("accepted", 1.0), interacted


@LANGUAGES
def test_a_checker_written_in_the_language(sandbox_client: TestClient, programs: Programs) -> None:
    checker = {"language": programs.language, "source": programs.checker}
    right, wrong = score(
        sandbox_client,
        [
            code_item("right", "n = int(input())\nprint(n - 1, 1)", sums(checker, 5, 9)),
            code_item("wrong", "n = int(input())\nprint(n, 1)", sums(checker, 5)),
        ],
    )
    assert (right["status"], right["score"]) == ("accepted", 1.0), right
    assert (wrong["status"], wrong["score"]) == ("wrong_answer", 0.0), wrong
    assert "!= 5" in wrong["details"]["tests"][0]["judge_message"]


def test_a_java_program_is_named_after_its_public_class(sandbox_client: TestClient) -> None:
    tests = stdio(("1 2", "3"))
    main_class, other_class, no_public = score(
        sandbox_client,
        [
            code_item("main", BY_NAME["java"].add, tests, language="java"),
            code_item("other", BY_NAME["java"].add.replace("class Main", "class Solver"), tests, language="java"),
            code_item("plain", BY_NAME["java"].add.replace("public class Main", "class Main"), tests, language="java"),
        ],
    )
    assert [main_class["status"], other_class["status"], no_public["status"]] == ["accepted"] * 3


def test_a_jvm_gets_its_heap_and_its_own_memory_beside_it(sandbox_client: TestClient) -> None:
    """A correct program whose data fill most of its limit is accepted (the heap is the
    limit, the JVM's own memory is allowed beside it); one that needs more than the limit
    is memory_limit, not runtime_error."""
    program = (
        "public class Main { public static void main(String[] a) { int n = new java.util.Scanner(System.in).nextInt();"
        " int[] x = new int[n]; for (int i = 0; i < n; i++) x[i] = i;"
        " long t = 0; for (int v : x) t += v; System.out.println(t); } }"
    )
    fits = 50_000_000  # 200 MB of a 256 MB limit
    over = 80_000_000  # 320 MB
    limits = {"memory_mb": 256, "time_s": 5}
    ok, too_big = score(
        sandbox_client,
        [
            code_item("fits", program, stdio((str(fits), str(fits * (fits - 1) // 2))), language="java", limits=limits),
            code_item("over", program, stdio((str(over), "0")), language="java", limits=limits),
        ],
    )
    assert ok["status"] == "accepted", ok
    assert too_big["status"] == "memory_limit", too_big


@pytest.mark.parametrize("language", ["pypy"])
def test_call_and_assert_tests_where_a_runner_exists(sandbox_client: TestClient, language: str) -> None:
    function = "def add(a, b):\n    return a + b"
    results = score(
        sandbox_client,
        [
            code_item(
                "call",
                function,
                {"kind": "call", "fn_name": "add", "cases": [{"args": [1, 2], "expected": 3}]},
                language=language,
            ),
            code_item("assert", function, {"kind": "assert", "code": "assert add(2, 2) == 4"}, language=language),
            code_item("failed", function, {"kind": "assert", "code": "assert add(2, 2) == 5"}, language=language),
        ],
    )
    assert [result["status"] for result in results] == ["accepted", "accepted", "wrong_answer"], results


@pytest.mark.parametrize("name", ["c", "java", "go", "rust"])
def test_compiled_languages_have_no_call_or_assert_runner(sandbox_client: TestClient, name: str) -> None:
    tests = {"kind": "call", "fn_name": "f", "cases": [{"args": [], "expected": 1}]}
    [result] = score(sandbox_client, [code_item("call", BY_NAME[name].add, tests, language=name)])
    assert result["status"] == "sandbox_error" and result["score"] is None, result


def test_languages_lists_every_language_with_its_test_kinds(sandbox_client: TestClient) -> None:
    body = sandbox_client.get("/languages").json()
    listed = {language["name"]: language for language in body["languages"]}
    assert {"python", "cpp", "javascript", "c", "java", "go", "rust", "pypy"} <= listed.keys()
    for name in ("c", "java", "go", "rust", "pypy"):
        assert listed[name]["available"] and listed[name]["version"], listed[name]
        assert {"stdio", "checker", "interactive"} <= set(listed[name]["test_kinds"])
    assert listed["pypy"]["test_kinds"] == ["stdio", "checker", "interactive", "call", "assert"]
    assert listed["rust"]["test_kinds"] == ["stdio", "checker", "interactive"]
    assert "PyPy" in listed["pypy"]["version"] and listed["java"]["version"].startswith("javac")


def test_aliases_and_fence_tags_name_the_languages() -> None:
    for alias, name in [
        ("c", "c"),
        ("gcc", "c"),
        ("java", "java"),
        ("go", "go"),
        ("golang", "go"),
        ("rust", "rust"),
        ("rs", "rust"),
        ("pypy", "pypy"),
        ("pypy3", "pypy"),
    ]:
        language = resolve_language(alias)
        assert language is not None and language.name == name, alias
    response = "```rust\nfn main() {}\n```\n```java\nclass Main {}\n```\n```go\npackage main\n```\n```c\nint x;\n```"
    for tag, body in [("rust", "fn main() {}"), ("java", "class Main {}"), ("golang", "package main"), ("c", "int x;")]:
        program = extract_program(response, tag)
        assert program is not None and program.source.strip() == body, tag


# The attacks that do not depend on a language, in each one.


@LANGUAGES
def test_a_process_bomb_is_contained_and_cleaned_up(sandbox_client: TestClient, programs: Programs) -> None:
    item = code_item("bomb", programs.fork_bomb, stdio(("", "1")), language=programs.language, limits={"time_s": 2})
    [result] = score(sandbox_client, [item])
    assert result["status"] in {"time_limit", "runtime_error", "memory_limit"} and result["score"] == 0.0, result
    assert wait_until_gone("666321") == []
    assert_service_still_scores(sandbox_client)


@LANGUAGES
def test_a_gigabyte_of_output_is_cut_off(sandbox_client: TestClient, programs: Programs) -> None:
    started = time.monotonic()
    item = code_item("flood", programs.flood, stdio(("", "1")), language=programs.language, limits={"time_s": 10})
    [result] = score(sandbox_client, [item])
    assert (result["status"], result["score"]) == ("output_limit", 0.0), result
    assert time.monotonic() - started < 20, "the output cap must stop the program, not the time limit"


@LANGUAGES
def test_no_network(sandbox_client: TestClient, programs: Programs, listener: socket.socket) -> None:
    program = programs.connect.replace("{port}", str(listener.getsockname()[1]))
    item = code_item("net", program, stdio(("", "isolated")), language=programs.language, limits={"time_s": 8})
    [result] = score(sandbox_client, [item])
    assert result["status"] == "accepted", result
    with pytest.raises(BlockingIOError):
        listener.accept()


@LANGUAGES
def test_other_runs_and_host_files_are_out_of_reach(
    sandbox_client: TestClient, programs: Programs, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("hunter2")
    paths = [str(secret), str(Path(__file__).resolve()), "/proc/1/environ", "/root/.bashrc", "/etc/shadow"]
    # A neighbour in the same batch leaves a file in its own work dir; the peek looks for it too.
    neighbour = "open('left-behind.txt', 'w').write('mine')\nprint(1)"
    paths += ["../left-behind.txt", "/box/left-behind.txt", "/tmp/left-behind.txt"]
    items = [
        code_item("neighbour", neighbour, stdio(("", "1"))),
        code_item("peek", programs.peek, stdio(("\n".join(paths) + "\n", "nothing")), language=programs.language),
    ]
    results = score(sandbox_client, items)
    assert [result["status"] for result in results] == ["accepted", "accepted"], results


def test_a_language_whose_toolchain_is_missing_is_an_error_that_says_what_to_install(
    sandbox_client: TestClient,
) -> None:
    """As the start-up probe records a toolchain that is not installed: programs and judges in
    that language are `error` with the package to install, not a compiler's sandbox_error."""
    runner = sandbox_client.app.state.scoring.dispatcher.code  # type: ignore[attr-defined]
    probed = dict(runner.languages)
    runner.languages["rust"] = None
    try:
        rust_checker = {"language": "rust", "source": BY_NAME["rust"].checker}
        program, judge = score(
            sandbox_client,
            [
                code_item("program", BY_NAME["rust"].add, stdio(("1 2", "3")), language="rust"),
                code_item("judge", "n = int(input())\nprint(0, n)", sums(rust_checker, 5)),
            ],
        )
        listed = {entry["name"]: entry for entry in sandbox_client.get("/languages").json()["languages"]}
    finally:
        runner.languages.clear()
        runner.languages.update(probed)
    assert (program["status"], program["score"]) == ("error", None), program
    assert "apt-get install rustc" in program["details"]["error"]
    assert (judge["status"], judge["score"]) == ("error", None), judge
    assert "tests.checker.language" in judge["details"]["error"] and "rustc" in judge["details"]["error"]
    assert listed["rust"]["available"] is False and listed["rust"]["install"] == "apt-get install rustc"


def test_each_step_is_limited_by_its_own_languages_runtime() -> None:
    """A judge's limits follow the judge's language, not the program's: a C++ checker beside
    a Java program keeps RLIMIT_AS; a Java checker has none, and its JVM's memory on top."""
    context = RunContext(
        RECIPES["java"],
        Limits(),
        "/harness",
        "nonce",
        compile_limits=compile_limits(CompileSettings(), Limits(), per_session_uid=True),
        judge_limits=judge_limits(Limits(), per_session_uid=True),
    )
    cpp = JudgeProgram(language="cpp", source="int main() { return 0; }").driver_block("checker", context)
    java = JudgeProgram(
        language="java", source="public class Check { public static void main(String[] a) {} }"
    ).driver_block("checker", context)
    assert cpp["compile"]["limits"]["address_space_mb"] == CompileSettings().memory_mb
    assert cpp["limits"]["address_space_mb"] is not None and cpp["limits"]["memory_mb"] == 1024
    assert java["compile"]["limits"]["address_space_mb"] is None and java["limits"]["address_space_mb"] is None
    assert java["limits"]["memory_mb"] == 1024 + RECIPES["java"].runtime_memory_mb
    assert java["argv"][-1] == "Check" and "-Xmx1024m" in java["argv"]
