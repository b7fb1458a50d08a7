"""Import throughput: `reward-service problems import` of a CodeContests-shaped file.

Generates a file of N problems (default 1,000) with T tests each (default 100) whose
inputs and outputs are K KB each (default 10), in deepmind/code_contests's schema, then
imports it in child processes: into the embedded store (a folder), again (everything
unchanged: the cost of idempotence), and through `--url` into a `reward-service serve`
on this host. For each: problems/s, MB/s of the file, and the importing process's memory
high-water mark, against the baseline of the same command importing one problem (the
import streams, so the ratio stays near 1 whatever the file's size).

    python -m benchmarks.import_throughput [--problems 1000] [--tests 100] [--test-kb 10]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from devstack.subprocess_server import running_server


def write_dataset(path: Path, problems: int, tests: int, test_kb: int) -> int:
    rng = random.Random(0)
    size = test_kb * 1024
    with path.open("w") as handle:
        for index in range(problems):
            inputs, outputs = [], []
            for _ in range(tests):
                inputs.append("".join(rng.choices(string.digits + " \n", k=size)))
                outputs.append("".join(rng.choices(string.digits + " \n", k=size)))
            row = {
                "name": f"{index}_A. Problem {index}",
                "public_tests": {"input": inputs[:1], "output": outputs[:1]},
                "private_tests": {"input": inputs[1:], "output": outputs[1:]},
                "generated_tests": {"input": [], "output": []},
                "solutions": {"language": [], "solution": []},
                "incorrect_solutions": {"language": [], "solution": []},
                "time_limit": {"seconds": 2, "nanos": 0},
                "memory_limit_bytes": 256 * 1024 * 1024,
                "input_file": "",
                "output_file": "",
            }
            handle.write(json.dumps(row) + "\n")
    return path.stat().st_size


_MEASURED = (
    "import atexit, resource, runpy, sys\n"
    "atexit.register(lambda: print('PEAK_RSS_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr))\n"
    "sys.argv = ['reward-service', *sys.argv[1:]]\n"
    "runpy.run_module('reward_service.cli', run_name='__main__')\n"
)


def timed_import(args: list[str], environment: dict[str, str]) -> tuple[float, float]:
    """Seconds, and the importing process's peak resident memory in MB."""
    started = time.perf_counter()
    finished = subprocess.run(
        [sys.executable, "-c", _MEASURED, "problems", "import", *args],
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if finished.returncode != 0:
        raise SystemExit(f"import failed ({finished.returncode}): {finished.stderr[-2000:]}")
    peak_kb = next(int(line.split()[1]) for line in finished.stderr.splitlines() if line.startswith("PEAK_RSS_KB"))
    return seconds, peak_kb / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", type=int, default=1000)
    parser.add_argument("--tests", type=int, default=100)
    parser.add_argument("--test-kb", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        dataset = root / "code_contests.jsonl"
        size = write_dataset(dataset, args.problems, args.tests, args.test_kb)
        megabytes = size / 1e6
        print(f"file: {args.problems} problems x {args.tests} tests x 2 x {args.test_kb} KB = {megabytes:.0f} MB")
        local = {"REWARD_PROBLEMS_DIR": str(root / "store")}
        # The baseline: the same command on a one-problem file (the process's own footprint).
        single = root / "one.jsonl"
        write_dataset(single, 1, args.tests, args.test_kb)
        _, baseline = timed_import(
            ["--format", "codecontests", str(single)], {"REWARD_PROBLEMS_DIR": str(root / "one")}
        )
        rows = []
        seconds, peak = timed_import(["--format", "codecontests", str(dataset)], local)
        rows.append(("embedded store", seconds, peak))
        seconds, peak = timed_import(["--format", "codecontests", str(dataset)], local)
        rows.append(("embedded store, again (unchanged)", seconds, peak))
        served = {"REWARD_PROBLEMS_DIR": str(root / "served"), "REWARD_LOG_LEVEL": "warning", "REWARD_WORKERS": "1"}
        with running_server(served) as url:
            seconds, peak = timed_import(["--format", "codecontests", str(dataset), "--url", url], {})
            rows.append(("--url (PUT /problems)", seconds, peak))
        print(f"{'into':36} {'s':>8} {'problems/s':>11} {'MB/s':>8} {'peak RSS MB':>12}")
        for name, seconds, peak in rows:
            print(f"{name:36} {seconds:8.1f} {args.problems / seconds:11.1f} {megabytes / seconds:8.1f} {peak:12.0f}")
        print(
            f"peak RSS importing {megabytes:.0f} MB / importing one problem: {rows[0][2] / baseline:.2f} "
            f"({rows[0][2]:.0f} MB / {baseline:.0f} MB): the import streams, it never holds the file"
        )


if __name__ == "__main__":
    main()
