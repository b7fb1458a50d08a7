"""The code verifier's verdicts, the same suite on both real sandbox backends (bwrap, docker)."""

from __future__ import annotations

from typing import Any

from conftest import code_item, score, stdio
from fastapi.testclient import TestClient

ADD = "a, b = map(int, input().split())\nprint(a + b)"


def one(client: TestClient, item: dict[str, Any], options: dict[str, Any] | None = None) -> dict[str, Any]:
    return score(client, [item], options)[0]


def test_stdio_python_scores_the_fraction_of_tests_passed(sandbox_client: TestClient) -> None:
    ok, half = score(
        sandbox_client,
        [
            code_item("ok", ADD, stdio(("1 2", "3"), ("5 5", "10\n"))),
            code_item("half", "print(3)", stdio(("1 2", "3"), ("5 5", "10"))),
        ],
    )
    assert (ok["status"], ok["score"]) == ("accepted", 1.0)
    assert [t["status"] for t in ok["details"]["tests"]] == ["accepted", "accepted"]
    assert (half["status"], half["score"]) == ("wrong_answer", 0.5)
    assert half["details"]["passed"] == 1 and half["details"]["total"] == 2


def test_all_or_nothing(sandbox_client: TestClient) -> None:
    result = one(
        sandbox_client, code_item("aon", "print(3)", stdio(("1 2", "3"), ("5 5", "10"))), {"all_or_nothing": True}
    )
    assert (result["status"], result["score"]) == ("wrong_answer", 0.0)


def test_every_line_counts_and_trailing_whitespace_does_not(sandbox_client: TestClient) -> None:
    missing, extra, spaces = score(
        sandbox_client,
        [
            code_item("missing", "print(1)", stdio(("", "1\n2"))),
            code_item("extra", "print(1)\nprint(2)", stdio(("", "1"))),
            code_item("spaces", "print('1   ')\nprint('2')\nprint()", stdio(("", "1\n2"))),
        ],
    )
    assert missing["status"] == "wrong_answer"
    assert extra["status"] == "wrong_answer"
    assert spaces["status"] == "accepted"


def test_float_tolerance(sandbox_client: TestClient) -> None:
    tests = {"kind": "stdio", "cases": [{"input": "", "output": "0.333333 2"}], "float_tolerance": 1e-4}
    close, far = score(
        sandbox_client,
        [code_item("close", "print(1/3, 2)", tests), code_item("far", "print(0.34, 2)", tests)],
    )
    assert close["status"] == "accepted"
    assert far["status"] == "wrong_answer"


def test_cpp_compiles_and_runs(sandbox_client: TestClient) -> None:
    program = "#include <iostream>\nint main(){long a,b;std::cin>>a>>b;std::cout<<a+b<<'\\n';}"
    ok, broken = score(
        sandbox_client,
        [
            code_item("cpp", program, stdio(("1 2", "3"), ("40 2", "42")), language="cpp"),
            code_item("broken", "int main(){ return x; }", stdio(("", "")), language="cpp"),
        ],
    )
    assert (ok["status"], ok["score"]) == ("accepted", 1.0)
    assert (broken["status"], broken["score"]) == ("compile_error", 0.0)
    assert "not declared" in broken["details"]["error"]


def test_javascript_stdio_call_and_assert(sandbox_client: TestClient) -> None:
    program = (
        "const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/).map(Number);\nconsole.log(a + b);"
    )
    function = "function add(a, b) { return a + b; }"
    results = score(
        sandbox_client,
        [
            code_item("stdio", program, stdio(("1 2", "3")), language="javascript"),
            code_item(
                "call",
                function,
                {"kind": "call", "fn_name": "add", "cases": [{"args": [1, 2], "expected": 3}]},
                language="js",
            ),
            code_item(
                "assert",
                function,
                {"kind": "assert", "code": "const assert = require('assert');\nassert.strictEqual(add(2, 2), 5);"},
                language="javascript",
            ),
        ],
    )
    assert [r["status"] for r in results] == ["accepted", "accepted", "wrong_answer"]


def test_call_tests_compare_json_values(sandbox_client: TestClient) -> None:
    tests = {
        "kind": "call",
        "fn_name": "two_sum",
        "cases": [{"args": [[2, 7, 11, 15], 9], "expected": [0, 1]}, {"args": [[3, 3], 6], "expected": [0, 1]}],
    }
    plain = "def two_sum(nums, target):\n    seen = {}\n    for i, n in enumerate(nums):\n        if target - n in seen:\n            return (seen[target - n], i)\n        seen[n] = i"
    leetcode = "class Solution:\n    def two_sum(self, nums, target):\n        return [0, 1]"
    wrong = "def two_sum(nums, target):\n    return [1, 0]"
    results = score(
        sandbox_client,
        [code_item("plain", plain, tests), code_item("class", leetcode, tests), code_item("wrong", wrong, tests)],
    )
    assert [r["status"] for r in results] == ["accepted", "accepted", "wrong_answer"]
    assert "expected [0, 1]" in results[2]["details"]["tests"][0]["message"]


def test_assert_tests_humaneval_style(sandbox_client: TestClient) -> None:
    check = "def check(candidate):\n    assert candidate(2, 3) == 5\n    assert candidate(-1, 1) == 0\n"
    tests = {"kind": "assert", "code": check, "entry_point": "add"}
    passed, failed, plain = score(
        sandbox_client,
        [
            code_item("passed", "def add(a, b):\n    return a + b", tests),
            code_item("failed", "def add(a, b):\n    return a * b", tests),
            code_item("plain", "def add(a, b):\n    return a + b", {"kind": "assert", "code": "assert add(1, 1) == 2"}),
        ],
    )
    assert (passed["status"], passed["score"]) == ("accepted", 1.0)
    assert (failed["status"], failed["score"]) == ("wrong_answer", 0.0)
    assert plain["status"] == "accepted"


def test_runtime_time_memory_and_output_limits(sandbox_client: TestClient) -> None:
    results = score(
        sandbox_client,
        [
            code_item("raises", "raise ValueError('boom')", stdio(("", "1"))),
            code_item("slow", "while True:\n    pass", stdio(("", "1")), limits={"time_s": 1}),
            code_item(
                "greedy", "blocks = [bytearray(1 << 20) for _ in range(4096)]", stdio(("", "1")), limits={"time_s": 8}
            ),
            code_item("chatty", "while True:\n    print('y' * 1000)", stdio(("", "1")), limits={"output_kb": 64}),
        ],
    )
    assert [r["status"] for r in results] == ["runtime_error", "time_limit", "memory_limit", "output_limit"]
    assert all(r["score"] == 0.0 for r in results)
    assert "ValueError: boom" in results[0]["details"]["tests"][0]["stderr"]


def test_program_is_the_last_block_in_the_requested_language(sandbox_client: TestClient) -> None:
    response = (
        "<think>```python\nprint('draft')\n```</think>\n"
        '```python\nprint(1)\n```\nand in C++:\n```cpp\n#include <cstdio>\nint main(){puts("2");}\n```\nExample:\n```\n2\n```'
    )
    base = {"id": "x", "task": "code", "response": response, "tests": stdio(("", "1"))}
    python, cpp, none = score(
        sandbox_client,
        [
            {**base, "id": "py", "language": "python"},
            {**base, "id": "cpp", "language": "cpp", "tests": stdio(("", "2"))},
            {"id": "none", "task": "code", "response": "I would print 1.", "tests": stdio(("", "1"))},
        ],
    )
    assert python["status"] == "accepted"
    assert cpp["status"] == "accepted"
    assert (none["status"], none["score"]) == ("no_code", 0.0)


def test_unsupported_requests_are_not_silent_zeros(sandbox_client: TestClient) -> None:
    rust, cpp_call = score(
        sandbox_client,
        [
            code_item("rust", "fn main(){}", stdio(("", "")), language="cobol"),
            code_item(
                "cpp_call",
                "int f(){return 1;}",
                {"kind": "call", "fn_name": "f", "cases": [{"args": [], "expected": 1}]},
                language="cpp",
            ),
        ],
    )
    assert rust["score"] is None and "not supported" in rust["details"]["error"]
    assert cpp_call["score"] is None and cpp_call["status"] == "sandbox_error"


def test_identical_submissions_run_once(sandbox_client: TestClient) -> None:
    items = [code_item(f"dup{i}", "print(input()[::-1])", stdio(("abc", "cba"))) for i in range(4)]
    results = score(sandbox_client, items)
    assert [r["status"] for r in results] == ["accepted"] * 4
    assert [r["cached"] for r in results] == [False, True, True, True]


def test_languages_lists_what_the_sandbox_runs(sandbox_client: TestClient) -> None:
    body = sandbox_client.get("/languages").json()
    names = {language["name"]: language for language in body["languages"]}
    assert {"python", "cpp", "javascript"} <= names.keys()
    assert names["python"]["test_kinds"] == ["stdio", "checker", "interactive", "call", "assert"]
    assert names["cpp"]["version"].startswith("g++")
    assert names["python"]["version"].startswith("Python 3")
    assert all(language["available"] and language["install"] is None for language in names.values())
    assert body["backend_detail"], body


def test_decided_code_verdicts_are_reused_across_requests(sandbox_client: TestClient) -> None:
    program = "print(input().upper())  # reuse"
    first = one(sandbox_client, code_item("first", program, stdio(("abc", "ABC"))))
    again = one(sandbox_client, code_item("again", program, stdio(("abc", "ABC"))))
    assert (first["status"], first["cached"]) == ("accepted", False)
    assert (again["status"], again["cached"]) == ("accepted", True)
    # A verdict that hit a limit depends on the machine's load: it is run again.
    slow = "while True:\n    pass  # not reused"
    limited = [
        one(sandbox_client, code_item(f"slow{i}", slow, stdio(("", "1")), limits={"time_s": 0.5})) for i in range(2)
    ]
    assert [r["cached"] for r in limited] == [False, False]


def test_limits_hold_for_functions_under_call_and_assert_tests(sandbox_client: TestClient) -> None:
    greedy = "def f(x):\n    blocks = [bytearray(1 << 20) for _ in range(4096)]\n    return x"
    slow = "def f(x):\n    while True:\n        pass"
    call = {"kind": "call", "fn_name": "f", "cases": [{"args": [1], "expected": 1}]}
    check = {"kind": "assert", "code": "assert f(1) == 1\n"}
    results = score(
        sandbox_client,
        [
            code_item("greedy-call", greedy, call, limits={"time_s": 8}),
            code_item("greedy-assert", greedy + "  # assert", check, limits={"time_s": 8}),
            code_item("slow-call", slow, call, limits={"time_s": 1}),
            code_item("slow-assert", slow + "  # assert", check, limits={"time_s": 1}),
        ],
    )
    assert [r["status"] for r in results] == ["memory_limit", "memory_limit", "time_limit", "time_limit"], results
    assert all(r["score"] == 0.0 for r in results)
