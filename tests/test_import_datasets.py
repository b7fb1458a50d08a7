"""`reward-service problems import`: dataset files in their public schemas become stored problems
that judge the dataset's own solutions, on both sandbox backends.

The rows below follow the dataset cards (deepmind/code_contests, codeparrot/apps): field
names, nesting, the CodeContests language enum, APPS's JSON strings and its call-based
outputs wrapped in one-element lists.
"""

from __future__ import annotations

import base64
import json
import os
import pickle
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from reward_service.app import create_app
from reward_service.cli import main
from tests.conftest import SANDBOX_BACKENDS, make_settings, require_backend

SUM_PY = "a, b = map(int, input().split())\nprint(a + b)"
SUM_CPP = "#include <iostream>\nint main() { long long a, b; std::cin >> a >> b; std::cout << a + b << std::endl; }"
SUM_WRONG = "a, b = map(int, input().split())\nprint(a - b)"
MAX_PY = "print(max(map(int, input().split())))"


def codecontests_rows() -> list[dict[str, Any]]:
    return [
        {
            "name": "1000_A. Sum",
            "description": "Print a + b.",
            "public_tests": {"input": ["1 2\n"], "output": ["3\n"]},
            "private_tests": {"input": ["5 7\n", "-3 3\n"], "output": ["12\n", "0\n"]},
            "generated_tests": {"input": ["5 7\n", "100 1\n"], "output": ["12\n", "101\n"]},
            "source": 2,
            "difficulty": 7,
            # 1 is Python 2 and 4 Java: not languages this service runs, so not solutions to validate with.
            "solutions": {"language": [3, 2, 1, 4], "solution": [SUM_PY, SUM_CPP, "print 3", "class Main {}"]},
            "incorrect_solutions": {"language": [3], "solution": [SUM_WRONG]},
            "cf_contest_id": 1000,
            "cf_index": "A",
            "cf_points": 500.0,
            "cf_rating": 800,
            "cf_tags": ["math"],
            "is_description_translated": False,
            "untranslated_description": "",
            "time_limit": {"seconds": 2, "nanos": 500000000},
            "memory_limit_bytes": 256000000,
            "input_file": "",
            "output_file": "",
        },
        {
            "name": "1548_C. The Three/Little Pigs",
            "public_tests": {"input": ["1 5 3\n"], "output": ["5\n"]},
            "private_tests": {"input": ["-1 -2 -3\n"], "output": ["-1\n"]},
            "generated_tests": {"input": [], "output": []},
            "solutions": {"language": [3], "solution": [MAX_PY]},
            "incorrect_solutions": {"language": [], "solution": []},
            "time_limit": None,
            "memory_limit_bytes": 0,
            "input_file": "",
            "output_file": "",
        },
    ]


APPS_ROWS = [
    {
        "problem_id": 4001,
        "question": "Read a and b, print their sum.",
        "solutions": json.dumps([SUM_PY]),
        "input_output": json.dumps({"inputs": ["1 2\n", "5 7\n"], "outputs": ["3\n", "12\n"]}),
        "difficulty": "introductory",
        "url": "https://codeforces.com/problemset/problem/1/A",
        "starter_code": "",
    },
    {
        "problem_id": 4002,
        "question": "Return the two numbers sorted, as a list.",
        "solutions": json.dumps(["class Solution:\n    def order(self, a, b):\n        return sorted([a, b])"]),
        # Call-based: each output is the return value wrapped in a one-element list.
        "input_output": json.dumps({"fn_name": "order", "inputs": [[2, 1], [3, 4]], "outputs": [[[1, 2]], [[3, 4]]]}),
        "difficulty": "interview",
        "url": "https://leetcode.com/problems/order",
        "starter_code": "class Solution:\n    def order(self, a, b):\n        ",
    },
    {
        "problem_id": 4003,
        "question": "Return a + b.",
        "solutions": json.dumps(["def add(a, b):\n    return a + b"]),
        "input_output": json.dumps({"fn_name": "add", "inputs": [[1, 2], [5, 7]], "outputs": [[3], [12]]}),
        "difficulty": "introductory",
        "url": "https://www.codewars.com/kata/add",
        "starter_code": "def add(a, b):\n    ",
    },
]


def lcb_private(tests: list[dict[str, str]]) -> str:
    """LiveCodeBench's encoding of its private tests: base64 of zlib of a pickled JSON string."""
    return base64.b64encode(zlib.compress(pickle.dumps(json.dumps(tests)))).decode()


class _Exploit:
    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, (f"touch {PWNED}",))


PWNED = Path(tempfile.gettempdir()) / "reward-import-pwned"

TACO_ROWS = [
    {
        "question": "Print a + b.",
        "solutions": json.dumps([SUM_PY]),
        "starter_code": "",
        "input_output": json.dumps({"inputs": ["1 2\n", "5 7\n"], "outputs": ["3\n", "12\n"]}),
        "difficulty": "EASY",
        "raw_tags": "['math']",
        "name": "Sum",
        "source": "codeforces",
        "tags": ["Mathematics"],
        "skill_types": [],
        "url": "https://codeforces.com/problemset/problem/99/Z",
        "Expected Auxiliary Space": None,
        "time_limit": "1.5 seconds",
        "date": "2020-01-01",
        "picture_num": "0",
        "memory_limit": "256 megabytes",
        "Expected Time Complexity": None,
    },
    {
        "question": "Return a + b.",
        "solutions": json.dumps(["def add(a, b):\n    return a + b"]),
        "starter_code": "def add(a, b):\n    ",
        "input_output": json.dumps({"fn_name": "add", "inputs": [[1, 2]], "outputs": [[3]]}),
        "difficulty": "EASY",
        "name": "add",
        "source": "codewars",
        "url": "",
        "time_limit": "None",
        "memory_limit": "None",
    },
]

LCB_ROWS = [
    {
        "question_title": "Sum",
        "question_content": "Print a + b.",
        "platform": "atcoder",
        "question_id": "abc999_a",
        "contest_id": "abc999",
        "contest_date": "2024-08-01T00:00:00",
        "starter_code": "",
        "difficulty": "easy",
        "public_test_cases": json.dumps([{"input": "1 2\n", "output": "3\n", "testtype": "stdin"}]),
        "private_test_cases": lcb_private([{"input": "5 7\n", "output": "12\n", "testtype": "stdin"}]),
        "metadata": "{}",
    },
    {
        "question_title": "Two Sum Count",
        "question_content": "Return a + b.",
        "platform": "leetcode",
        "question_id": "3999",
        "contest_id": "weekly-contest-999",
        "contest_date": "2024-08-02T00:00:00",
        "starter_code": "class Solution:\n    def addUp(self, nums: List[int], k: int) -> int:\n        ",
        "difficulty": "easy",
        "public_test_cases": json.dumps([{"input": "[1, 2]\n3", "output": "6", "testtype": "functional"}]),
        "private_test_cases": lcb_private([{"input": "[]\n5", "output": "5", "testtype": "functional"}]),
        "metadata": json.dumps({"func_name": "addUp"}),
    },
    {
        "question_title": "Crafted",
        "question_id": "crafted",
        "public_test_cases": json.dumps([{"input": "1\n", "output": "1\n", "testtype": "stdin"}]),
        "private_test_cases": base64.b64encode(zlib.compress(pickle.dumps(_Exploit()))).decode(),
        "metadata": "{}",
    },
]

# open-r1's convention: `checker.py INPUT CORRECT_OUTPUT SUBMISSION_OUTPUT`, printing 1 for a
# right answer. It reads the correct output (-1: no pair exists), so the order matters, and
# it does not guard its parsing: garbage output crashes it, as generated checkers do.
CF_CHECKER = """import sys


def main():
    input_path, correct_path, submission_path = sys.argv[1:4]
    n = int(open(input_path).read().split()[0])
    correct = open(correct_path).read().split()
    submitted = open(submission_path).read().split()
    if correct == ["-1"]:
        print(1 if submitted == ["-1"] else 0)
        return
    x, y = map(int, submitted)
    print(1 if x >= 0 and y >= 0 and x + y == n else 0)


if __name__ == "__main__":
    main()
"""


def codeforces_row(problem_id: str, **fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": problem_id,
        "aliases": None,
        "contest_id": problem_id.split("/")[0],
        "contest_name": "Codeforces Round (Div. 2)",
        "contest_type": "CF",
        "contest_start": 1700000000,
        "contest_start_year": 2023,
        "index": problem_id.split("/")[1],
        "time_limit": 1.0,
        "memory_limit": 256.0,
        "title": "Sum",
        "description": "Print a + b.",
        "input_format": "Two integers.",
        "output_format": "Their sum.",
        "interaction_format": None,
        "note": None,
        "examples": [{"input": "1 2\n", "output": "3\n"}],
        "editorial": None,
        "rating": 800,
        "tags": ["math"],
        "testset_size": 3,
        "official_tests": [
            {"input": "1 2\n", "output": "3\n"},
            {"input": "5 7\n", "output": "12\n"},
            {"input": "-4 4\n", "output": "0\n"},
        ],
        "official_tests_complete": True,
        "input_mode": "stdio",
        "generated_checker": None,
        "executable": True,
        "generated_tests": 0,
    }
    row.update(fields)
    return row


CODEFORCES_ROWS = [
    codeforces_row("2000/A"),
    codeforces_row(
        "2000/B",
        title="Any pair",
        time_limit=2.0,
        memory_limit=512.0,
        official_tests=[{"input": "5\n", "output": "2 3\n"}, {"input": "-3\n", "output": "-1\n"}],
        generated_checker=CF_CHECKER,
    ),
    codeforces_row("2000/C", interaction_format="Ask at most 20 queries."),
    codeforces_row("2000/D", input_mode="file"),
    codeforces_row("2000/E", executable=False),
]
PAIR_PY = "n = int(input())\nprint(-1) if n < 0 else print(n, 0)"

HUMANEVAL_ROWS = [
    {
        "task_id": "HumanEval/999",
        "prompt": 'def add(a: int, b: int) -> int:\n    """Add a and b."""\n',
        "canonical_solution": "    return a + b\n",
        "test": "METADATA = {}\n\n\ndef check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(-1, 1) == 0\n",
        "entry_point": "add",
    }
]

MBPP_ROWS = [
    {
        "task_id": 9001,
        "text": "Write a function to add two numbers.",
        "code": "def add(a, b):\n    return a + b",
        "test_list": ["assert add(1, 2) == 3", "assert add(-1, 1) == 0"],
        "test_setup_code": "",
        "challenge_test_list": [],
    }
]


def write_jsonl(path: Path, rows: list[Any], extra_lines: tuple[str, ...] = ()) -> Path:
    with path.open("w") as handle:
        for row in rows:
            handle.write(json.dumps(row) + "\n")
        for line in extra_lines:
            handle.write(line + "\n")
    return path


def run_import(*args: str) -> int:
    with pytest.raises(SystemExit) as exited:
        main(["problems", "import", *args])
    return int(exited.value.code or 0)


@pytest.fixture(scope="module")
def problems_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("imported-problems")


@pytest.fixture(scope="module")
def imported(problems_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Both files imported into one embedded store; the map lines by (format, source id)."""
    folder = tmp_path_factory.mktemp("datasets")
    monkey = pytest.MonkeyPatch()
    monkey.setenv("REWARD_PROBLEMS_DIR", str(problems_dir))
    try:
        files = {
            "codecontests": codecontests_rows(),
            "apps": APPS_ROWS,
            "taco": TACO_ROWS,
            "livecodebench": LCB_ROWS,
            "codeforces": CODEFORCES_ROWS,
            "humaneval": HUMANEVAL_ROWS,
            "mbpp": MBPP_ROWS,
        }
        for name, rows in files.items():
            path = write_jsonl(folder / f"{name}.jsonl", rows)
            assert run_import("--format", name, str(path), "--map-out", str(folder / f"{name}.map")) == 0
    finally:
        monkey.undo()
    lines = [json.loads(line) for name in files for line in (folder / f"{name}.map").read_text().splitlines()]
    return {f"{line['format']}/{line['source_id']}": line for line in lines}


@pytest.fixture(scope="module", params=SANDBOX_BACKENDS)
def judge(request: pytest.FixtureRequest, problems_dir: Path) -> Iterator[TestClient]:
    require_backend(request.param)
    settings = make_settings(
        sandbox_backend=request.param, sandbox_pool_size=2, code_time_s=10.0, problems_dir=problems_dir
    )
    with TestClient(create_app(settings)) as client:
        yield client


def scored(client: TestClient, problem: str, program: str, language: str = "python") -> dict[str, Any]:
    """The result of one item naming the stored ``problem``."""
    item = {
        "id": "x",
        "task": "code",
        "problem": problem,
        "language": language,
        "response": f"```{language}\n{program}\n```",
    }
    response = client.post("/score", json={"items": [item]})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()["results"][0]
    return result


def verdict(client: TestClient, problem: str, program: str, language: str = "python") -> str:
    result = scored(client, problem, program, language)
    assert result["score"] is not None, result
    return str(result["status"])


def test_the_map_names_each_problem_by_an_id_a_url_can_carry(imported: dict[str, dict[str, Any]]) -> None:
    sum_problem = imported["codecontests/1000_A. Sum"]
    assert sum_problem["problem"].startswith("codecontests:1000_A.-Sum-") and sum_problem["tests"] == 4
    pigs = imported["codecontests/1548_C. The Three/Little Pigs"]["problem"]
    assert "/" not in pigs and " " not in pigs
    assert imported["apps/4001"]["problem"] == "apps:4001"


def test_limits_come_from_the_dataset(imported: dict[str, dict[str, Any]], problems_dir: Path) -> None:
    stored = json.loads((problems_dir / f"{imported['codecontests/1000_A. Sum']['problem']}.json").read_text())
    body = json.loads(stored["body"])
    assert body["limits"] == {"time_s": 2.5, "memory_mb": 245}
    assert body["tests"]["compare"] == "tokens" and len(body["tests"]["cases"]) == 4  # the repeated generated test once


@pytest.mark.parametrize(
    ("key", "program", "language", "expected"),
    [
        ("codecontests/1000_A. Sum", SUM_PY, "python", "accepted"),
        ("codecontests/1000_A. Sum", SUM_CPP, "cpp", "accepted"),
        ("codecontests/1000_A. Sum", SUM_WRONG, "python", "wrong_answer"),
        ("codecontests/1548_C. The Three/Little Pigs", MAX_PY, "python", "accepted"),
        (
            "codecontests/1548_C. The Three/Little Pigs",
            "print(min(map(int, input().split())))",
            "python",
            "wrong_answer",
        ),
        ("apps/4001", SUM_PY, "python", "accepted"),
        ("apps/4001", SUM_WRONG, "python", "wrong_answer"),
        # Wrapped outputs: the list the function returns, or the wrapping list itself, both count.
        (
            "apps/4002",
            "class Solution:\n    def order(self, a, b):\n        return sorted([a, b])",
            "python",
            "accepted",
        ),
        (
            "apps/4002",
            "class Solution:\n    def order(self, a, b):\n        return [sorted([a, b])]",
            "python",
            "accepted",
        ),
        ("apps/4002", "class Solution:\n    def order(self, a, b):\n        return [a, b]", "python", "wrong_answer"),
        ("apps/4003", "def add(a, b):\n    return a + b", "python", "accepted"),
        ("apps/4003", "def add(a, b):\n    return [a + b]", "python", "accepted"),
        ("apps/4003", "def add(a, b):\n    return a * b", "python", "wrong_answer"),
        ("taco/https://codeforces.com/problemset/problem/99/Z", SUM_PY, "python", "accepted"),
        ("taco/https://codeforces.com/problemset/problem/99/Z", SUM_WRONG, "python", "wrong_answer"),
        ("taco/codewars/add", "def add(a, b):\n    return a + b", "python", "accepted"),
        ("taco/codewars/add", "def add(a, b):\n    return a - b", "python", "wrong_answer"),
        ("livecodebench/abc999_a", SUM_PY, "python", "accepted"),
        ("livecodebench/abc999_a", "print(3)", "python", "wrong_answer"),  # passes the public test only
        (
            "livecodebench/3999",
            "class Solution:\n    def addUp(self, nums, k):\n        return sum(nums) + k",
            "python",
            "accepted",
        ),
        (
            "livecodebench/3999",
            "class Solution:\n    def addUp(self, nums, k):\n        return 6",
            "python",
            "wrong_answer",
        ),
        ("codeforces/2000/A", SUM_PY, "python", "accepted"),
        ("codeforces/2000/A", SUM_CPP, "cpp", "accepted"),
        ("codeforces/2000/A", SUM_WRONG, "python", "wrong_answer"),
        # Judged by the dataset's checker: any right pair, and -1 only where the answer is -1.
        ("codeforces/2000/B", PAIR_PY, "python", "accepted"),
        ("codeforces/2000/B", "n = int(input())\nprint(-1) if n < 0 else print(1, n - 1)", "python", "accepted"),
        ("codeforces/2000/B", "n = int(input())\nprint(n, 0)", "python", "wrong_answer"),
        # Garbage crashes the checker: a failed test (as in open-r1), never a null score. Read
        # with the files swapped, the checker would parse the correct output and pass it.
        ("codeforces/2000/B", "input()\nprint('hello')", "python", "wrong_answer"),
        ("codeforces/2000/B", "input()", "python", "wrong_answer"),
        ("humaneval/HumanEval/999", "def add(a, b):\n    return a + b", "python", "accepted"),
        ("humaneval/HumanEval/999", "def add(a, b):\n    return a * b", "python", "wrong_answer"),
        ("mbpp/9001", "def add(a, b):\n    return a + b", "python", "accepted"),
        ("mbpp/9001", "def add(a, b):\n    return 3", "python", "wrong_answer"),
    ],
)
def test_imported_problems_judge_right_and_wrong_solutions(
    imported: dict[str, dict[str, Any]], judge: TestClient, key: str, program: str, language: str, expected: str
) -> None:
    status = verdict(judge, imported[key]["problem"], program, language)
    assert status == expected if expected == "accepted" else status != "accepted", status


def test_dataset_limits_and_ids_without_ids(imported: dict[str, dict[str, Any]], problems_dir: Path) -> None:
    taco = imported["taco/https://codeforces.com/problemset/problem/99/Z"]
    body = json.loads(json.loads((problems_dir / f"{taco['problem']}.json").read_text())["body"])
    assert body["limits"] == {"time_s": 1.5, "memory_mb": 256}
    assert "limits" not in json.loads(
        json.loads((problems_dir / f"{imported['taco/codewars/add']['problem']}.json").read_text())["body"]
    )


def test_codeforces_rows_keep_their_limits_and_checker_and_skip_what_cannot_be_judged(
    imported: dict[str, dict[str, Any]], problems_dir: Path
) -> None:
    plain = imported["codeforces/2000/A"]
    body = json.loads(json.loads((problems_dir / f"{plain['problem']}.json").read_text())["body"])
    assert body["limits"] == {"time_s": 1.0, "memory_mb": 256}
    assert body["tests"]["kind"] == "stdio" and len(body["tests"]["cases"]) == 3
    checked = imported["codeforces/2000/B"]
    body = json.loads(json.loads((problems_dir / f"{checked['problem']}.json").read_text())["body"])
    assert body["limits"] == {"time_s": 2.0, "memory_mb": 512}
    assert body["tests"]["kind"] == "checker"
    assert body["tests"]["checker"]["files"] == {"cf_checker.py": CF_CHECKER}
    assert body["tests"]["cases"][1] == {"input": "-3\n", "answer": "-1\n"}
    for key, reason in [("2000/C", "interactive"), ("2000/D", "named files"), ("2000/E", "not executable")]:
        line = imported[f"codeforces/{key}"]
        assert line["problem"] is None and reason in line["skipped"], line


def test_the_codeforces_checker_reads_the_correct_output_where_open_r1_puts_it(
    imported: dict[str, dict[str, Any]], judge: TestClient
) -> None:
    # Read with the files swapped, the checker would take the correct output "2 3" for the
    # submission and pass garbage on the first test.
    result = scored(judge, imported["codeforces/2000/B"]["problem"], "input()\nprint('hello')")
    assert (result["status"], result["score"]) == ("wrong_answer", 0.0), result
    assert "ValueError" in result["details"]["tests"][0]["judge_message"]


def test_livecodebench_private_tests_can_hold_no_code(imported: dict[str, dict[str, Any]]) -> None:
    crafted = imported["livecodebench/crafted"]
    assert crafted["problem"] is None and "cannot be decoded" in crafted["skipped"], crafted
    assert not PWNED.exists()
    assert imported["livecodebench/abc999_a"]["tests"] == 2  # public and private


def test_importing_again_stores_nothing_new(
    imported: dict[str, dict[str, Any]], problems_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REWARD_PROBLEMS_DIR", str(problems_dir))
    before = {path.name: path.stat().st_mtime_ns for path in problems_dir.iterdir()}
    contests = write_jsonl(tmp_path / "again.jsonl", codecontests_rows())
    assert run_import("--format", "codecontests", str(contests), "--map-out", str(tmp_path / "map")) == 0
    assert {path.name: path.stat().st_mtime_ns for path in problems_dir.iterdir()} == before
    hashes = [json.loads(line)["hash"] for line in (tmp_path / "map").read_text().splitlines()]
    assert hashes == [
        imported["codecontests/1000_A. Sum"]["hash"],
        imported["codecontests/1548_C. The Three/Little Pigs"]["hash"],
    ]


def test_bad_rows_are_skipped_with_their_line_and_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("REWARD_PROBLEMS_DIR", str(tmp_path / "store"))
    good = codecontests_rows()[0]
    no_output = {**good, "name": "no output", "private_tests": {"input": ["1 1\n"], "output": [None]}}
    files = {**good, "name": "files", "input_file": "input.txt", "output_file": "output.txt"}
    uneven = {**good, "name": "uneven", "public_tests": {"input": ["1 2\n", "3 4\n"], "output": ["3\n"]}}
    no_tests = {"name": "empty", "public_tests": {"input": [], "output": []}}
    path = write_jsonl(
        tmp_path / "mixed.jsonl", [good, no_output, files, uneven, no_tests, {"description": "no name"}], ("{not json",)
    )
    assert run_import("--format", "codecontests", str(path), "--map-out", str(tmp_path / "map")) == 0
    out = capsys.readouterr().out
    for line, reason in [
        (2, "test 0 has no input or output text"),
        (3, "named files"),
        (4, "2 inputs but 1 outputs"),
        (5, "no tests"),
        (6, "no `name`"),
        (7, "not JSON"),
    ]:
        assert f"skipped row {line}: " in out and reason in out, (line, reason, out)
    records = [json.loads(line) for line in (tmp_path / "map").read_text().splitlines()]
    assert [record["problem"] is not None for record in records] == [True, False, False, False, False, False]
    assert sorted(path.name for path in (tmp_path / "store").iterdir()) == [f"{records[0]['problem']}.json"]


def test_an_unreadable_file_or_an_unknown_format_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_import("--format", "codecontests", str(tmp_path / "missing.jsonl")) == 2
    assert "no such file" in capsys.readouterr().err
    fake = tmp_path / "fake.parquet"
    fake.write_text("{}\n")
    assert run_import("--format", "apps", str(fake)) == 2
    assert "not a Parquet file" in capsys.readouterr().err
    assert run_import("--format", "nonsense", str(fake)) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_parquet_as_the_hub_ships_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pyarrow = pytest.importorskip("pyarrow")
    import pyarrow.parquet as parquet

    monkeypatch.setenv("REWARD_PROBLEMS_DIR", str(tmp_path / "store"))
    parquet.write_table(pyarrow.Table.from_pylist(APPS_ROWS), tmp_path / "train-00000-of-00001.parquet")
    assert run_import("--format", "apps", str(tmp_path / "train-00000-of-00001.parquet")) == 0
    assert len(list((tmp_path / "store").iterdir())) == 3


def test_import_into_a_running_service(tmp_path: Path) -> None:
    from reward_client import RewardClient

    from devstack.subprocess_server import running_server

    apps = write_jsonl(tmp_path / "apps.jsonl", APPS_ROWS)
    environment = {
        "REWARD_PROBLEMS_DIR": str(tmp_path / "served"),
        "REWARD_LOG_LEVEL": "warning",
        "REWARD_WORKERS": "1",
    }
    with running_server(environment) as url:
        assert (
            run_import("--format", "apps", str(apps), "--url", url, "--validate", "--map-out", str(tmp_path / "map"))
            == 0
        )
        assert run_import("--format", "apps", str(apps), "--url", url, "--map-out", str(tmp_path / "again")) == 0
        first = [json.loads(line) for line in (tmp_path / "map").read_text().splitlines()]
        assert [record["valid"] for record in first] == [True, True, True]
        again = [json.loads(line) for line in (tmp_path / "again").read_text().splitlines()]
        assert [(r["problem"], r["hash"]) for r in again] == [(r["problem"], r["hash"]) for r in first]
        with RewardClient(url) as client:
            stored = client.get_problem("apps:4003")
            assert stored is not None and stored["problem"]["tests"]["wrapped"] is True
            [result] = client.score(
                [
                    {
                        "task": "code",
                        "problem": "apps:4003",
                        "language": "python",
                        "response": "```python\ndef add(a, b):\n    return a + b\n```",
                    }
                ]
            )
            assert result.status == "accepted", result


def test_validation_runs_the_datasets_own_solutions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store"
    for name, value in {
        "REWARD_PROBLEMS_DIR": str(store),
        "REWARD_SANDBOX_POOL_SIZE": "1",
        "REWARD_WORKERS": "1",
    }.items():
        monkeypatch.setenv(name, value)
    good = codecontests_rows()[0]
    # Its expected output is wrong: the dataset's correct solutions are rejected.
    broken = {**good, "name": "broken", "private_tests": {"input": ["2 2\n"], "output": ["5\n"]}}
    # Only tests where a - b == a + b: the known-wrong solution passes.
    weak = {
        **good,
        "name": "weak",
        "public_tests": {"input": ["0 0\n"], "output": ["0\n"]},
        "private_tests": {"input": [], "output": []},
        "generated_tests": {"input": ["7 0\n"], "output": ["7\n"]},
    }
    unsolved = {**good, "name": "unsolved", "solutions": {"language": [], "solution": []}, "incorrect_solutions": {}}
    path = write_jsonl(tmp_path / "cc.jsonl", [good, broken, weak, unsolved])
    assert run_import("--format", "codecontests", str(path), "--drop-invalid", "--map-out", str(tmp_path / "map")) == 0
    records = {record["source_id"]: record for record in map(json.loads, (tmp_path / "map").read_text().splitlines())}
    assert records["1000_A. Sum"]["valid"] is True and records["1000_A. Sum"]["wrong_solution"] == "wrong_answer"
    assert records["broken"]["valid"] is False and records["broken"]["dropped"] is True
    assert "correct python solution 1: wrong_answer" in records["broken"]["rejected"][0]
    assert records["weak"]["valid"] is True and records["weak"]["wrong_solution"] == "accepted"
    assert records["unsolved"]["valid"] is None
    stored = sorted(path.stem for path in store.iterdir())
    assert stored == sorted(records[name]["problem"] for name in ("1000_A. Sum", "weak", "unsolved"))
    out = capsys.readouterr().out
    assert "invalid codecontests:broken: correct python solution 1: wrong_answer" in out
