"""veRL 0.9.1's own SandboxFusion client against a real server's POST /run_code.

veRL scores the data sources codecontests, apps, codeforces and taco with
`verl.utils.reward_score.sandbox_fusion.compute_score` when `reward.sandbox_fusion.url`
is set (`default_compute_score`, verl/utils/reward_score/__init__.py); that calls
`check_correctness` -> `call_sandbox_api`, one `requests.post` per test case. Those two
files are loaded here from the installed release (tests/trainer_modules.py): the same
code path, without the torch and Ray that `import verl` pulls in.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import ModuleType

import pytest

from tests.trainer_modules import load_module, release_file

VERL = "0.9.1"
TOKEN = "verl-contract-token"

SUM_TESTS = {"inputs": ["1 2\n", "5 7\n", "2 2\n"], "outputs": ["3\n", "12\n", "4\n"]}
CORRECT = "Let me add them.\n```python\na, b = map(int, input().split())\nprint(a + b)\n```"
WRONG = "```python\na, b = map(int, input().split())\nprint(a * b)\n```"


@pytest.fixture(scope="module")
def sandbox_fusion() -> ModuleType:
    package = release_file("verl", VERL, "verl/utils/reward_score/sandbox_fusion/__init__.py")
    return load_module("verl_sandbox_fusion", package, package.parent)


@pytest.fixture(scope="module")
def token_url() -> Iterator[str]:
    """A server with authentication on: veRL sends no Authorization header, so its URL carries the token."""
    from devstack.subprocess_server import running_server

    env = {"REWARD_WORKERS": "1", "REWARD_LOG_LEVEL": "warning", "REWARD_API_TOKENS": TOKEN}
    with running_server(env) as url:
        yield f"{url}/t/{TOKEN}/run_code"


def test_compute_score_of_a_correct_and_a_wrong_program(sandbox_fusion: ModuleType, token_url: str) -> None:
    # As default_compute_score calls it for codecontests/apps/taco: test cases as a JSON string, continuous.
    score, metadata = sandbox_fusion.compute_score(token_url, None, 1024, CORRECT, json.dumps(SUM_TESTS), True)
    assert score == 1.0, metadata
    assert [case["status"] for case in metadata] == ["success"] * 3
    assert all(case["api_status"] == "Success" and case["run_status"] == "Finished" for case in metadata)

    score, metadata = sandbox_fusion.compute_score(token_url, None, 1024, WRONG, SUM_TESTS, True)
    assert score == pytest.approx(1 / 3)  # only 2 2 -> 4 passes
    assert [case["status"] for case in metadata] == ["wrong_answer", "wrong_answer", "success"]


def test_the_plain_url_without_tokens(sandbox_fusion: ModuleType, live_server: str) -> None:
    score, metadata = sandbox_fusion.compute_score(f"{live_server}/run_code", None, 1024, CORRECT, SUM_TESTS)
    assert score == 1.0, metadata


def test_a_wrong_token_is_an_api_error_not_a_score(sandbox_fusion: ModuleType, token_url: str) -> None:
    wrong = token_url.replace(TOKEN, "not-the-token")
    results, metadata = sandbox_fusion.check_correctness(wrong, SUM_TESTS, CORRECT.split("```python")[1][:-3])
    assert results == [-1, -1, -1]
    assert "401" in metadata[0]["api_request_error"]


def test_check_correctness_outcomes(sandbox_fusion: ModuleType, token_url: str) -> None:
    check = sandbox_fusion.check_correctness
    cpp = '#include <iostream>\nint main(){long a,b;std::cin>>a>>b;std::cout<<a+b<<"\\n";}'
    assert check(token_url, SUM_TESTS, cpp, language="cpp")[0] == [True, True, True]
    # -4: compile error, -2: runtime error, -3: timeout (veRL's codes).
    assert check(token_url, SUM_TESTS, "int main( {", language="cpp")[0] == [-4, -4, -4]
    assert check(token_url, {"inputs": ["1\n"], "outputs": ["1\n"]}, "raise SystemExit(2)")[0] == [-2]
    results, metadata = check(token_url, {"inputs": [""], "outputs": [""]}, "while True:\n    pass", timeout=1)
    assert results == [-3], metadata
    go = 'package main\nimport "fmt"\nfunc main() { var a, b int; fmt.Scan(&a, &b); fmt.Println(a + b) }'
    assert check(token_url, SUM_TESTS, go, language="go")[0] == [True, True, True]
    # A language this server does not run: SandboxError, which veRL counts as an API error.
    results, metadata = check(token_url, SUM_TESTS, "<?php echo 1;", language="php")
    assert results == [-1, -1, -1] and metadata[0]["api_status"] == "SandboxError"


def test_call_tests_through_verls_function_wrapper(sandbox_fusion: ModuleType, token_url: str) -> None:
    # PRIME-style tests: veRL wraps the program so it reads JSON arguments from stdin and prints the result.
    tests = {"fn_name": "add", "inputs": ["1\n2", "[1]\n[2]"], "outputs": ["3", "[1, 2]"]}
    program = "class Solution:\n    def add(self, a, b):\n        return a + b\n"
    assert sandbox_fusion.check_correctness(token_url, tests, program)[0] == [True, True]
