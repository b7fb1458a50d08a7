"""POST /run_code: SandboxFusion's request and response fields, on the real (bwrap) sandbox.

What SandboxFusion's clients read (veRL 0.9.1, `_process_single_case`): the top `status`,
`compile_result.{status,return_code,stderr,execution_time}` and
`run_result.{status,return_code,stdout,stderr,execution_time}`; files come back base64.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from reward_service.app import create_app
from tests.conftest import make_settings

MAX_TIME_S = 2.0


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    settings = make_settings(
        sandbox_pool_size=2,
        code_max_time_s=MAX_TIME_S,
        max_response_chars=10_000,
        max_tests_chars=20_000,
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def run(client: TestClient, code: str, language: str = "python", **fields: Any) -> dict[str, Any]:
    response = client.post("/run_code", json={"code": code, "language": language, **fields})
    assert response.status_code == 200, response.text
    return response.json()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_a_run_with_stdin_files_and_fetched_files(client: TestClient) -> None:
    code = (
        "import sys\n"
        "data = open('data/in.bin', 'rb').read()\n"
        "open('out.bin', 'wb').write(data[::-1])\n"
        "print(sys.stdin.read().upper(), end='')\n"
        "print('warn', file=sys.stderr)\n"
    )
    answer = run(
        client,
        code,
        stdin="hello\n",
        files={"data/in.bin": b64(b"\x00\x01\xff")},
        fetch_files=["out.bin", "never-written.txt"],
    )
    assert answer["status"] == "Success" and answer["message"] == ""
    assert answer["compile_result"] is None
    result = answer["run_result"]
    assert result["status"] == "Finished" and result["return_code"] == 0
    assert result["stdout"] == "HELLO\n" and result["stderr"] == "warn\n"
    assert isinstance(result["execution_time"], float)
    # A file the program did not write is left out, as SandboxFusion does.
    assert answer["files"] == {"out.bin": b64(b"\xff\x01\x00")}


def test_a_non_zero_exit_is_failed_with_its_return_code(client: TestClient) -> None:
    answer = run(client, "import sys\nprint('partial')\nsys.exit(3)")
    assert answer["status"] == "Failed"
    assert answer["run_result"]["status"] == "Finished"
    assert answer["run_result"]["return_code"] == 3
    assert answer["run_result"]["stdout"] == "partial\n"
    assert "code 3" in answer["message"]


def test_cpp_compiles_then_runs(client: TestClient) -> None:
    code = "#include <iostream>\nint main(){int a,b;std::cin>>a>>b;std::cout<<a+b<<std::endl;}"
    answer = run(client, code, "cpp", stdin="2 3\n")
    assert answer["status"] == "Success", answer
    assert answer["compile_result"]["status"] == "Finished" and answer["compile_result"]["return_code"] == 0
    assert answer["run_result"]["stdout"] == "5\n"


def test_cpp_compile_error(client: TestClient) -> None:
    answer = run(client, "int main() { retrun 0; }", "cpp")
    assert answer["status"] == "Failed"
    assert answer["run_result"] is None
    compiled = answer["compile_result"]
    assert compiled["status"] == "Finished" and compiled["return_code"] != 0
    assert "retrun" in compiled["stderr"]


def test_nodejs_is_our_javascript(client: TestClient) -> None:
    answer = run(client, "console.log(6 * 7)", "nodejs")
    assert answer["status"] == "Success", answer
    assert answer["run_result"]["stdout"] == "42\n"


def test_a_timeout_is_time_limit_exceeded(client: TestClient) -> None:
    answer = run(client, "while True:\n    pass", run_timeout=1)
    assert answer["status"] == "Failed"
    assert answer["run_result"]["status"] == "TimeLimitExceeded"


def test_limits_are_capped_by_the_servers_maxima(client: TestClient) -> None:
    started = time.monotonic()
    answer = run(client, "while True:\n    pass", run_timeout=600)
    assert answer["run_result"]["status"] == "TimeLimitExceeded"
    assert time.monotonic() - started < 2 * MAX_TIME_S + 5
    # 100 GB asked, REWARD_CODE_MAX_MEMORY_MB (1024) given: a 1.5 GB allocation fails.
    answer = run(client, "x = bytearray(1536 * 1024 * 1024)\nprint('allocated')", memory_limit_MB=100_000)
    assert answer["status"] == "Failed"
    assert answer["run_result"]["stdout"] == ""
    assert "MB" in answer["message"]


@pytest.mark.parametrize("language", ["php", "pytest", "brainfuck"])
def test_a_language_not_run_here_is_a_sandbox_error(client: TestClient, language: str) -> None:
    answer = run(client, "x", language)
    assert answer["status"] == "SandboxError"
    assert language in answer["message"] and "python, cpp, nodejs, go, java, rust" in answer["message"]


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"run_timeout": -1}, "run_timeout"),
        ({"compile_timeout": 0}, "compile_timeout"),
        ({"memory_limit_MB": -5}, "memory_limit_MB"),
        ({"memory_limit_MB": 0}, "memory_limit_MB"),
        ({"files": {"../escape.txt": b64(b"x")}}, "files"),
        ({"files": {"/etc/passwd": b64(b"x")}}, "files"),
        ({"files": {"ok.txt": "not base64!"}}, "files"),
        ({"fetch_files": ["../../etc/shadow"]}, "fetch_files"),
        # Names the sandbox could not make or read back: a 422, never a driver failure.
        ({"files": {"x" * 300: b64(b"x")}}, "files"),
        ({"files": {"a/" * 3000 + "f": b64(b"x")}}, "files"),
        ({"fetch_files": ["d/" * 2000 + "f"]}, "fetch_files"),
        ({"fetch_files": ["y" * 256]}, "fetch_files"),
    ],
)
def test_bad_fields_are_422_naming_the_field(client: TestClient, fields: dict[str, Any], named: str) -> None:
    response = client.post("/run_code", json={"code": "print(1)", "language": "python", **fields})
    assert response.status_code == 422, response.text
    assert named in response.text


def test_oversized_code_or_stdin_is_413_naming_the_setting(client: TestClient) -> None:
    response = client.post("/run_code", json={"code": "#" * 10_001, "language": "python"})
    assert response.status_code == 413 and "REWARD_MAX_RESPONSE_CHARS" in response.json()["detail"]
    response = client.post("/run_code", json={"code": "print(1)", "language": "python", "stdin": "1" * 20_001})
    assert response.status_code == 413 and "REWARD_MAX_TESTS_CHARS" in response.json()["detail"]


def test_memory_minus_one_is_the_server_default(client: TestClient) -> None:
    answer = run(client, "print('ok')", memory_limit_MB=-1, stdin=None)
    assert answer["status"] == "Success"


def test_a_fetched_symlink_is_not_followed(client: TestClient) -> None:
    code = "import os\nos.symlink('/etc/hostname', 'leak')\nos.mkdir('d')\nprint('ok')"
    answer = run(client, code, fetch_files=["leak", "d"])
    assert answer["status"] == "Success" and answer["files"] == {}


def test_no_part_of_a_fetched_path_may_be_a_symlink(client: TestClient) -> None:
    """A program linked a directory to /proc/1 and fetched d/maps, d/status, d/mountinfo:
    the driver read its own /proc for it."""
    code = "import os\nos.symlink('/proc/1', 'd')\nos.makedirs('real/x')\nos.symlink('real', 'r')\nprint('ok')"
    answer = run(client, code, fetch_files=["d/maps", "d/status", "d/mountinfo", "r/x/../../d/status"])
    assert answer["status"] == "Success" and answer["files"] == {}, answer
