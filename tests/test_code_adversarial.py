"""Hostile programs, on both real sandbox backends: each gets the right verdict, leaves
nothing running, cannot reach the network or the host, and the service scores on."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import code_item, score, stdio
from fastapi.testclient import TestClient

ADD = "a, b = map(int, input().split())\nprint(a + b)"


def host_processes_with(marker: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if marker in command and "pytest" not in command:
            found.append(f"{entry.name}: {command}")
    return found


def wait_until_gone(marker: str, timeout_s: float = 5.0) -> list[str]:
    deadline = time.monotonic() + timeout_s
    while (left := host_processes_with(marker)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def assert_service_still_scores(client: TestClient) -> None:
    [after] = score(client, [code_item("after", ADD, stdio(("2 3", "5")))])
    assert after["status"] == "accepted"


def test_fork_bomb(sandbox_client: TestClient) -> None:
    bomb = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass  # 777123"
    [result] = score(sandbox_client, [code_item("fork", bomb, stdio(("", "1")), limits={"time_s": 2})])
    assert result["status"] in {"time_limit", "runtime_error"}
    assert result["score"] == 0.0
    assert wait_until_gone("777123") == []
    assert_service_still_scores(sandbox_client)


def test_memory_bomb_and_infinite_loop(sandbox_client: TestClient) -> None:
    memory, loop = score(
        sandbox_client,
        [
            code_item("memory", "chunks = []\nwhile True:\n    chunks.append(b'x' * (1 << 24))", stdio(("", "1"))),
            code_item("loop", "while True:\n    pass", stdio(("", "1")), limits={"time_s": 1}),
        ],
    )
    assert (memory["status"], memory["score"]) == ("memory_limit", 0.0)
    assert (loop["status"], loop["score"]) == ("time_limit", 0.0)
    assert loop["details"]["tests"][0]["time_s"] < 3
    assert_service_still_scores(sandbox_client)


def test_a_gigabyte_of_output_is_cut_off_and_reported(sandbox_client: TestClient) -> None:
    flood = "import sys\nchunk = 'z' * (1 << 20)\nfor _ in range(1024):\n    sys.stdout.write(chunk)"
    started = time.monotonic()
    [result] = score(sandbox_client, [code_item("flood", flood, stdio(("", "1")), limits={"time_s": 10})])
    assert (result["status"], result["score"]) == ("output_limit", 0.0)
    assert time.monotonic() - started < 8, "the output cap must stop the program, not the time limit"
    assert_service_still_scores(sandbox_client)


def test_children_left_running_are_killed(sandbox_client: TestClient) -> None:
    program = (
        "import subprocess, sys\n"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)  # 888321'], start_new_session=True)\n"
        "print(42)"
    )
    [result] = score(sandbox_client, [code_item("orphan", program, stdio(("", "42")))])
    assert result["status"] == "accepted"
    assert result["details"]["killed_leftover_processes"] >= 1
    assert wait_until_gone("888321") == []
    assert_service_still_scores(sandbox_client)


def test_no_network(sandbox_client: TestClient, listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    program = (
        "import socket\n"
        "reached = []\n"
        f"for host, port in [('127.0.0.1', {port}), ('10.255.255.53', 53), ('1.1.1.1', 443)]:\n"
        "    try:\n"
        "        socket.create_connection((host, port), timeout=1).close()\n"
        "        reached.append(host)\n"
        "    except OSError:\n"
        "        pass\n"
        "try:\n"
        "    socket.getaddrinfo('pypi.org', 443)\n"
        "    reached.append('dns')\n"
        "except OSError:\n"
        "    pass\n"
        "print(reached or 'isolated')"
    )
    [result] = score(sandbox_client, [code_item("net", program, stdio(("", "isolated")), limits={"time_s": 8})])
    assert result["status"] == "accepted", result
    with pytest.raises(BlockingIOError):
        listener.accept()


def test_no_writes_outside_the_work_dir(sandbox_client: TestClient, tmp_path: Path) -> None:
    target = tmp_path / "written-by-sandbox"
    places = ["/etc/pwned", "/usr/pwned", "/pwned", "/opt/harness/driver.py", str(target)]
    program = (
        f"written = []\nfor path in {places!r}:\n"
        "    try:\n"
        "        with open(path, 'a') as handle:\n"
        "            handle.write('pwned')\n"
        "        written.append(path)\n"
        "    except OSError:\n"
        "        pass\n"
        "open('scratch.txt', 'w').write('fine')\n"
        "print(written or 'contained')"
    )
    [result] = score(sandbox_client, [code_item("writes", program, stdio(("", "contained")))])
    assert result["status"] == "accepted", result
    assert not target.exists() and not Path("/pwned").exists()


def test_host_environment_and_files_are_invisible(sandbox_client: TestClient, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("hunter2")
    os.environ["REWARD_TEST_SECRET"] = "hunter2"
    readable = [str(secret), str(Path(__file__).resolve()), "/proc/1/environ", "/root/.bashrc", "/etc/shadow"]
    program = (
        "import os\n"
        "seen = [name for name in os.environ if name.startswith('REWARD')]\n"
        f"for path in {readable!r}:\n"
        "    try:\n"
        "        open(path, 'rb').read()\n"
        "        seen.append(path)\n"
        "    except OSError:\n"
        "        pass\n"
        "print(seen or 'nothing')"
    )
    try:
        [result] = score(sandbox_client, [code_item("peek", program, stdio(("", "nothing")))])
    finally:
        del os.environ["REWARD_TEST_SECRET"]
    assert result["status"] == "accepted", result


@pytest.mark.parametrize(
    "program",
    [
        "import sys\nsys.exit(0)\ndef add(a, b):\n    return 0",
        "import os\nos._exit(0)",
        "raise SystemExit(0)",
        "import os, atexit\natexit.register(lambda: os._exit(0))\ndef add(a, b):\n    return 0",
        # A forged outcome on the result descriptor, without the request's nonce.
        "import os, json\nos.write(int(os.environ.get('RESULT_FD', 3)), json.dumps({'nonce': 'guess', 'outcome': 'passed'}).encode() + b'\\n')\nos._exit(0)",
    ],
    ids=["sys.exit", "os._exit", "SystemExit", "atexit", "forged"],
)
def test_exiting_before_the_asserts_never_passes(sandbox_client: TestClient, program: str) -> None:
    check = "def check(candidate):\n    assert candidate(2, 3) == 5\n"
    assertion, call = score(
        sandbox_client,
        [
            code_item("assert", program, {"kind": "assert", "code": check, "entry_point": "add"}),
            code_item("call", program, {"kind": "call", "fn_name": "add", "cases": [{"args": [2, 3], "expected": 5}]}),
        ],
    )
    for result in (assertion, call):
        assert result["status"] != "accepted" and result["score"] == 0.0, result


# Reward hacks on `assert` tests: each program is wrong, and each tries to pass anyway.
REWARD_HACKS = {
    # An answer equal to everything.
    "always-equal": "class Anything:\n    def __eq__(self, other):\n        return True\n    __ne__ = lambda self, other: False\n"
    "def add(a, b):\n    return Anything()",
    # An int whose comparison lies.
    "int-subclass": "class Liar(int):\n    def __eq__(self, other):\n        return True\n    __hash__ = int.__hash__\n"
    "def add(a, b):\n    return Liar(0)",
    # A builtin the tests rely on, patched.
    "patched-builtin": "import builtins\nbuiltins.abs = lambda x: 0\ndef add(a, b):\n    return 0",
    # The runner's nonce, read from its frames, and a forged pass.
    "frame-nonce": (
        "import os, sys, json\n"
        "def add(a, b):\n"
        "    frame = sys._getframe()\n"
        "    while frame is not None:\n"
        "        nonce = frame.f_locals.get('nonce')\n"
        "        if isinstance(nonce, str):\n"
        "            os.write(int(os.environ.get('RESULT_FD', 3)), json.dumps({'nonce': nonce, 'outcome': 'passed'}).encode() + b'\\n')\n"
        "            os._exit(0)\n"
        "        frame = frame.f_back\n"
        "    return 0"
    ),
    # The expected values, read from the test file next to the program.
    "read-the-tests": (
        "import glob, re\n"
        "def add(a, b):\n"
        "    for path in glob.glob('*') + glob.glob('/box/**/*', recursive=True):\n"
        "        try:\n"
        "            found = re.findall(r'== (\\d+)', open(path).read())\n"
        "        except OSError:\n"
        "            continue\n"
        "        if found:\n"
        "            return int(found[0])\n"
        "    return 0"
    ),
}


@pytest.mark.parametrize("name", sorted(REWARD_HACKS))
def test_reward_hacks_on_assert_tests_never_pass(sandbox_client: TestClient, name: str) -> None:
    # One assert, of the shape the hack targets: nothing else in the test may fail it.
    compare = "abs(candidate(2, 3) - 5) < 1e-9" if name == "patched-builtin" else "candidate(2, 3) == 5"
    check = f"def check(candidate):\n    assert {compare}\n"
    [result] = score(
        sandbox_client, [code_item(name, REWARD_HACKS[name], {"kind": "assert", "code": check, "entry_point": "add"})]
    )
    assert result["status"] != "accepted" and result["score"] == 0.0, result


def test_assert_tests_still_see_in_place_changes_exceptions_and_the_prompts_imports(sandbox_client: TestClient) -> None:
    program = (
        "import math\nfrom collections import Counter\n"
        "def root(x):\n    if x < 0:\n        raise ValueError('negative')\n    return math.sqrt(x)\n"
        "def sort_in_place(xs):\n    xs.sort()\n"
        "def pair(a, b):\n    return (a, b), {a: {b}}\n"
    )
    tests = (
        "assert math.isclose(root(16), 4.0)\n"  # `math` comes from the program's imports
        "try:\n    root(-1)\n    raise RuntimeError('no error raised')\nexcept ValueError as exc:\n    assert 'negative' in str(exc)\n"
        "xs = [3, 1, 2]\nsort_in_place(xs)\nassert xs == [1, 2, 3]\n"
        "assert pair(1, 2) == ((1, 2), {1: {2}})\n"
        "assert Counter('aab')['a'] == 2\n"
    )
    [result] = score(sandbox_client, [code_item("honest", program, {"kind": "assert", "code": tests})])
    assert result["status"] == "accepted", result


def test_killing_the_parent_does_not_break_the_sandbox(sandbox_client: TestClient) -> None:
    program = (
        "import os, signal\n"
        "for pid in (os.getppid(), 1, -1):\n"
        "    try:\n"
        "        os.kill(pid, signal.SIGKILL)\n"
        "    except OSError:\n"
        "        pass\n"
        "print(7)"
    )
    results = score(
        sandbox_client, [code_item(f"parricide{i}", program + f"  # {i}", stdio(("", "7"))) for i in range(3)]
    )
    assert all(r["status"] in {"accepted", "runtime_error"} for r in results), results
    assert all(r["score"] is not None for r in results)
    assert_service_still_scores(sandbox_client)


def test_a_batch_of_200_with_bombs_returns_every_verdict(sandbox_client: TestClient) -> None:
    items: list[dict[str, Any]] = []
    expected: list[str] = []
    for index in range(197):
        a, b = index, index * 7
        right = index % 3 != 0
        program = ADD if right else "a, b = map(int, input().split())\nprint(a - b)"
        items.append(code_item(f"item{index}", program + f"  # {index}", stdio((f"{a} {b}", str(a + b)))))
        expected.append("accepted" if right or b == 0 else "wrong_answer")
    bombs = {
        50: (
            "fork",
            "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass",
            {"runtime_error", "time_limit"},
        ),
        100: ("memory", "x = []\nwhile True:\n    x.append(bytearray(1 << 24))", {"memory_limit"}),
        150: ("loop", "while True:\n    pass", {"time_limit"}),
    }
    for position, (name, program, _) in sorted(bombs.items()):
        limits = {"time_s": 2} if name != "memory" else {}
        items.insert(position, code_item(name, program, stdio(("", "1")), limits=limits))
    results = score(sandbox_client, items)
    assert len(results) == 200
    bomb_ids = {name for name, _, _ in bombs.values()}
    others = [r for r in results if r["id"] not in bomb_ids]
    unexpected = [(r, want) for r, want in zip(others, expected, strict=False) if r["status"] != want]
    assert not unexpected, f"{len(unexpected)} unexpected verdicts, the first: {unexpected[0]}"
    for position, (name, _, statuses) in bombs.items():
        assert results[position]["id"] == name and results[position]["status"] in statuses, results[position]
