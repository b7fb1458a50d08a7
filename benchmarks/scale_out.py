"""Scale-out throughput: RQ workers against the in-process default, in one run.

Four timings of the same 8,192-item math batch through POST /score on a real
server, each with a cold result cache unless said otherwise:

1. the embedded default (no Redis; REWARD_WORKERS verifier processes in the API),
2. Redis + 1 `reward-service worker --processes 1`,
3. Redis + 2 such workers,
4. the same batch again with 2 workers: every verdict from the Redis cache.

It prints items/s and the ratios 2 workers / 1 worker, each RQ setup / embedded,
and first batch / cached batch.

The workload. The real chain-of-thought responses of
../shared/corpora/qwen_math_cot_100.jsonl are mostly settled in the API process:
771 of 800 end in an integer that the exact fast path compares without SymPy, and a
GRPO batch repeats each completion, so dedupe and the cache take most of the rest
(benchmarks/math_throughput.py measures that path). Workers exist for the other
part, the answers only SymPy can compare, and that is what a scale-out benchmark
has to load: if the batch were the corpus as is, the workers would sit idle and
every configuration would time the API process alone. So each item keeps its real
response text, but its final boxed integer `X` is rewritten into the equivalent
unreduced fraction `\\frac{X*k}{k}` with k unique to the item (k = item index + 2):
the verdict stays what the model earned (right or wrong), no fast path applies,
and no two items share a verification, so all 8,192 go to the workers. The batch
cycles through the responses whose final answer is a boxed integer (most of them).

    python -m benchmarks.scale_out [--items 8192] [--corpus PATH]
"""

from __future__ import annotations

import argparse
import json
import re
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx

from devstack.local_stack import WorkerProcess, running_redis, wait_for_workers
from devstack.subprocess_server import running_server
from reward_service.redis_cache import KEY_PREFIX

REPO = Path(__file__).resolve().parent.parent
_LAST_BOXED_INTEGER = re.compile(r"\\boxed\{\s*(-?\d+)\s*\}(?!.*\\boxed\{)", re.DOTALL)


def build_batch(rows: list[dict[str, Any]], total: int) -> list[dict[str, Any]]:
    """``total`` items cycling through the responses whose final answer is a boxed integer, rewritten per item."""
    pool = [(response, row["gt"]) for row in rows for response in row["code"] if _LAST_BOXED_INTEGER.search(response)]
    items = []
    for i in range(total):
        response, ground_truth = pool[i % len(pool)]
        k = i + 2
        rewritten = _LAST_BOXED_INTEGER.sub(
            lambda m, k=k: f"\\boxed{{\\frac{{{int(m.group(1)) * k}}}{{{k}}}}}", response
        )
        items.append({"id": str(i), "task": "math", "response": rewritten, "ground_truth": ground_truth})
    return items


def timed_post(http: httpx.Client, url: str, body: bytes) -> tuple[float, list[dict[str, Any]]]:
    started = time.perf_counter()
    response = http.post(f"{url}/score", content=body, headers={"content-type": "application/json"})
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    return elapsed, response.json()["results"]


def warm(http: httpx.Client, url: str) -> None:
    """One small request on unrelated items, so the timed batch pays no first-request costs."""
    items = [
        {"id": str(i), "task": "math", "response": f"\\boxed{{\\frac{{{i}}}{{7}}}}", "ground_truth": "1"}
        for i in range(64)
    ]
    http.post(f"{url}/score", json={"items": items}).raise_for_status()


def summary(results: list[dict[str, Any]]) -> str:
    counts: dict[str, int] = {}
    for result in results:
        counts[result["status"]] = counts.get(result["status"], 0) + 1
    return ", ".join(f"{status} {n}" for status, n in sorted(counts.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=8192)
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpora" / "qwen_math_cot_100.jsonl")
    parser.add_argument("--embedded-workers", type=int, default=2, help="REWARD_WORKERS of the in-process default")
    args = parser.parse_args()

    rows = [json.loads(line) for line in args.corpus.open()]
    items = build_batch(rows, args.items)
    # Encoded once: the trainer's JSON encoding is not the service's time.
    body = json.dumps({"items": items, "options": {"deadline_s": 3600}}).encode()
    quiet = {"REWARD_LOG_LEVEL": "warning", "REWARD_SCORE_DEADLINE_S": "3600"}
    timings: dict[str, float] = {}

    with httpx.Client(timeout=3600) as http:
        with running_server({**quiet, "REWARD_WORKERS": str(args.embedded_workers)}) as url:
            warm(http, url)
            timings["embedded"], results = timed_post(http, url, body)
            print(f"embedded ({args.embedded_workers} processes): {summary(results)}")

        with running_redis() as redis, ExitStack() as workers:
            first = WorkerProcess(redis.url, "math", processes=1, env=quiet)
            workers.callback(first.stop)
            wait_for_workers(redis.url, [first])
            with running_server({**quiet, "REWARD_REDIS_URL": redis.url}) as url:
                warm(http, url)
                timings["rq1"], results = timed_post(http, url, body)
                print(f"RQ, 1 worker: {summary(results)}")

                client = redis.client()
                client.delete(*client.keys(KEY_PREFIX + "*"))  # cold cache again
                second = WorkerProcess(redis.url, "math", processes=1, env=quiet)
                workers.callback(second.stop)
                wait_for_workers(redis.url, [first, second])
                timings["rq2"], results = timed_post(http, url, body)
                print(f"RQ, 2 workers: {summary(results)}")

                timings["cached"], results = timed_post(http, url, body)
                cached = sum(r["cached"] for r in results)
                print(f"RQ, same batch again: {cached}/{len(results)} from the cache")

    n = len(items)
    print()
    print(f"items: {n} (every one verified by a worker; see the docstring)")
    for key, label in [
        ("embedded", "in-process default"),
        ("rq1", "RQ, 1 worker process"),
        ("rq2", "RQ, 2 worker processes"),
        ("cached", "RQ, second batch (Redis cache)"),
    ]:
        print(f"{label:32s} {timings[key]:8.2f} s  {n / timings[key]:9.1f} items/s")
    print(f"ratio 2 workers / 1 worker:          {timings['rq1'] / timings['rq2']:6.2f}x")
    print(f"ratio 1 worker / in-process:         {timings['embedded'] / timings['rq1']:6.2f}x")
    print(f"ratio 2 workers / in-process:        {timings['embedded'] / timings['rq2']:6.2f}x")
    print(f"ratio cached / first batch (2 w.):   {timings['rq2'] / timings['cached']:6.2f}x")
    print(f"ratio cached / first batch (1 w.):   {timings['rq1'] / timings['cached']:6.2f}x")


if __name__ == "__main__":
    main()
