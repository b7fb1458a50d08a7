"""Contest judging throughput: many-test problems, GRPO-style groups of rollouts, in one run.

Generated problems (sum the numbers of a ~100 KB input), each with ``--tests`` tests,
``--rollouts`` C++ rollouts per problem, half of them wrong from an early test on, scored
with `all_or_nothing` (what R1-style code RL uses). Three ways, each against a real server:

(a) problems by reference: each problem stored once (PUT /problems/{id}), the items name it;
(b) the same tests inline in every item;
(c) a baseline judged the way SandboxFusion-style judges do: every test its own request in
    a fresh sandbox (the pool recycles its session after every request), compiling the
    program for every test, all tests run. Measured on ``--baseline-problems`` problems
    (a rate, items/s, so a sample is enough: ``--baseline-problems`` x ``--baseline-rollouts``).

Prints items/s and request bytes for each, and the ratios the issue asks for:
(a) vs (c) items/s, and (b) vs (a) request bytes.

    python -m benchmarks.contest_workload [--problems 64] [--rollouts 16] [--tests 30] [--input-kb 100]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from typing import Any

import httpx

from devstack.subprocess_server import running_server

CORRECT = """#include <cstdio>
int main() { long long x, s = 0; while (std::scanf("%lld", &x) == 1) s += x; std::printf("%lld\\n", s); }
"""
# Right on the first test only (whose inputs sum to an even number below a bound); wrong from the second on.
WRONG = """#include <cstdio>
int main() { long long x, s = 0, n = 0; while (std::scanf("%lld", &x) == 1) { s += x; ++n; }
  std::printf("%lld\\n", n % 7 == 3 ? s : s + 1); }
"""


def make_problem(rng: random.Random, tests: int, input_kb: int) -> list[dict[str, str]]:
    cases = []
    for index in range(tests):
        numbers: list[int] = []
        size = 0
        while size < input_kb * 1024:
            value = rng.randrange(100_000, 999_999)
            numbers.append(value)
            size += 7
        # The wrong program is right exactly when the count is 3 mod 7: make that the first test only.
        while (len(numbers) % 7 == 3) != (index == 0):
            numbers.append(rng.randrange(100_000, 999_999))
        cases.append({"input": " ".join(map(str, numbers)) + "\n", "output": str(sum(numbers))})
    return cases


def rollout(problem: int, k: int) -> str:
    program = CORRECT if k % 2 == 0 else WRONG
    return f"Reasoning about problem {problem}, attempt {k}.\n```cpp\n{program}```\n"


def post(client: httpx.Client, path: str, body: dict[str, Any], method: str = "POST") -> tuple[Any, int]:
    payload = json.dumps(body).encode()
    response = client.request(method, path, content=payload, headers={"content-type": "application/json"})
    response.raise_for_status()
    return response.json(), len(payload)


def score_groups(client: httpx.Client, groups: list[list[dict[str, Any]]]) -> tuple[list[dict[str, Any]], int, float]:
    """One request per problem's group (what a trainer sends per prompt), sent one after another."""
    results: list[dict[str, Any]] = []
    sent = 0
    started = time.perf_counter()
    for items in groups:
        answer, size = post(client, "/score", {"items": items, "options": {"all_or_nothing": True}})
        results += answer["results"]
        sent += size
    return results, sent, time.perf_counter() - started


def check(results: list[dict[str, Any]], rollouts: int) -> None:
    expected = ["accepted" if k % 2 == 0 else "wrong_answer" for k in range(rollouts)] * (len(results) // rollouts)
    got = [result["status"] for result in results]
    if got != expected:
        bad = next(r for r, e in zip(results, expected, strict=True) if r["status"] != e)
        raise SystemExit(f"unexpected verdict: {bad}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--problems", type=int, default=64)
    parser.add_argument("--rollouts", type=int, default=16)
    parser.add_argument("--tests", type=int, default=30)
    parser.add_argument("--input-kb", type=int, default=100)
    parser.add_argument("--baseline-problems", type=int, default=1)
    parser.add_argument("--baseline-rollouts", type=int, default=4, help="rollouts per problem in (c), half wrong")
    parser.add_argument("--sandboxes", type=int, default=2, help="sandbox sessions of each server")
    args = parser.parse_args()
    rng = random.Random(7)
    problems = [make_problem(rng, args.tests, args.input_kb) for _ in range(args.problems)]
    env = {
        "REWARD_LOG_LEVEL": "warning",
        "REWARD_WORKERS": "1",
        "REWARD_SANDBOX_POOL_SIZE": str(args.sandboxes),
        "REWARD_MAX_BODY_BYTES": str(512 * 1024 * 1024),
        "REWARD_MAX_TESTS_CHARS": str(1024 * 1024 * 1024),
        "REWARD_SCORE_DEADLINE_S": "3600",
        "REWARD_RESULT_CACHE_SIZE": "0",  # every mode verifies every item
    }
    timeout = httpx.Timeout(3600, connect=10)
    print(
        f"{args.problems} problems x {args.rollouts} rollouts x {args.tests} tests of {args.input_kb} KB, "
        f"{args.sandboxes} sandbox sessions"
    )

    warm_up = {
        "items": [
            {
                "id": "w",
                "task": "code",
                "tests": {"kind": "stdio", "cases": [{"input": "1", "output": "1"}]},
                "response": rollout(0, 0),
            }
        ]
    }
    with running_server(env) as url, httpx.Client(base_url=url, timeout=timeout) as client:
        post(client, "/score", warm_up)  # the compiler's and the sessions' first use, not timed
        started = time.perf_counter()
        put_bytes = 0
        for index, cases in enumerate(problems):
            _, size = post(client, f"/problems/p{index}", {"tests": {"kind": "stdio", "cases": cases}}, "PUT")
            put_bytes += size
        put_s = time.perf_counter() - started
        by_reference = [
            [
                {"id": f"{p}-{k}", "task": "code", "problem": f"p{p}", "response": rollout(p, k)}
                for k in range(args.rollouts)
            ]
            for p in range(args.problems)
        ]
        results, ref_bytes, ref_s = score_groups(client, by_reference)
        check(results, args.rollouts)
        inline = [
            [
                {
                    "id": f"{p}-{k}",
                    "task": "code",
                    "tests": {"kind": "stdio", "cases": problems[p]},
                    "response": rollout(p, k),
                }
                for k in range(args.rollouts)
            ]
            for p in range(args.problems)
        ]
        results, inline_bytes, inline_s = score_groups(client, inline)
        check(results, args.rollouts)

    baseline_env = {**env, "REWARD_SANDBOX_RECYCLE": "always"}
    with running_server(baseline_env) as url, httpx.Client(base_url=url, timeout=timeout) as client:
        post(client, "/score", warm_up)
        per_test = []
        for p in range(args.baseline_problems):
            for k in range(args.baseline_rollouts):
                group = [
                    {
                        "id": f"{p}-{k}-{t}",
                        "task": "code",
                        "tests": {"kind": "stdio", "cases": [case]},
                        "response": rollout(p, k),
                    }
                    for t, case in enumerate(problems[p])
                ]
                per_test.append(group)
        started = time.perf_counter()
        sent = 0
        for group in per_test:
            _, size = post(client, "/score", {"items": group})
            sent += size
        baseline_s = time.perf_counter() - started
    baseline_items = args.baseline_problems * args.baseline_rollouts

    items = args.problems * args.rollouts
    rows = [
        ("(a) problems by reference", items / ref_s, ref_bytes + put_bytes, ref_bytes),
        ("(b) tests inline", items / inline_s, inline_bytes, inline_bytes),
        ("(c) a test per sandbox, compiled per test", baseline_items / baseline_s, None, sent / baseline_items * items),
    ]
    print(f"{'mode':44} {'items/s':>9} {'request bytes (incl. PUT)':>26} {'/score bytes':>14}")
    for name, rate, with_put, score_bytes in rows:
        shown = f"{with_put:,}" if with_put is not None else "-"
        print(f"{name:44} {rate:9.2f} {shown:>26} {score_bytes:>14,.0f}")
    print(f"PUT of {args.problems} problems: {put_s:.2f} s")
    print(f"(a) vs (c) items/s: {rows[0][1] / rows[2][1]:.1f}x (target >= 5x)")
    print(f"(b) vs (a) /score request bytes: {inline_bytes / ref_bytes:.0f}x smaller by reference (target >= 20x)")
    print(f"(b) vs (a) including the PUTs: {inline_bytes / (ref_bytes + put_bytes):.1f}x")


if __name__ == "__main__":
    main()
