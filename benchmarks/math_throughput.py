"""Math throughput: POST /score against a plain math-verify loop, in one run.

Two workloads from the 800 real chain-of-thought responses of
../shared/corpora/qwen_math_cot_100.jsonl, each GRPO-sized (default 8,192 items,
16 per prompt): the responses made distinct (a different reasoning sentence in
front of each, answers unchanged: what a GRPO step really sends, so nothing is
deduplicated by response), and the responses repeated as they are. For each:
items/s of /score and of a plain math-verify loop over the same items, the
ratio, and the verdict agreement with math-verify where it did not time out.

    python -m benchmarks.math_throughput [--items 8192] [--corpus PATH]
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path
from typing import Any

import httpx
from math_verify import parse, verify

from devstack.subprocess_server import running_server

REPO = Path(__file__).resolve().parent.parent

MATH_VERIFY_TIMEOUT_S = 5


def build_batch(rows: list[dict[str, Any]], total: int, per_prompt: int = 16) -> list[dict[str, Any]]:
    items = []
    slot = 0
    while len(items) < total:
        row = rows[slot % len(rows)]
        for k in range(per_prompt):
            if len(items) == total:
                break
            response = row["code"][k % len(row["code"])]
            items.append({"id": f"{slot}-{k}", "task": "math", "response": response, "ground_truth": row["gt"]})
        slot += 1
    return items


def plain_math_verify(items: list[dict[str, Any]]) -> tuple[list[bool | None], float]:
    """The baseline: math-verify's own parse + verify for every item, one after another."""
    logging.getLogger("math_verify").setLevel(logging.CRITICAL)
    verdicts: list[bool | None] = []
    started = time.perf_counter()
    for item in items:
        t0 = time.perf_counter()
        gold = parse("$" + item["ground_truth"] + "$", parsing_timeout=MATH_VERIFY_TIMEOUT_S)
        answer = parse(item["response"], parsing_timeout=MATH_VERIFY_TIMEOUT_S)
        ok = verify(gold, answer, timeout_seconds=MATH_VERIFY_TIMEOUT_S)
        # math-verify reports its own timeouts as False; mark them as undecided.
        verdicts.append(None if time.perf_counter() - t0 >= MATH_VERIFY_TIMEOUT_S else ok)
    return verdicts, time.perf_counter() - started


def distinct(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same batch with every response made unique, as a GRPO step's rollouts are:
    a distinct reasoning sentence before each response, the answer unchanged."""
    return [
        {**item, "id": f"d{i}", "response": f"Let me restate the problem first (attempt {i}).\n" + item["response"]}
        for i, item in enumerate(items)
    ]


def score_over_http(
    http: httpx.Client, url: str, items: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], float, float]:
    """Results, seconds for the batch, and seconds for the same batch sent again."""
    started = time.perf_counter()
    response = http.post(f"{url}/score", json={"items": items})
    service_s = time.perf_counter() - started
    response.raise_for_status()
    started = time.perf_counter()
    http.post(f"{url}/score", json={"items": items}).raise_for_status()
    return response.json()["results"], service_s, time.perf_counter() - started


def report(
    name: str, items: list[dict[str, Any]], results: list[dict[str, Any]], service_s: float, cached_s: float
) -> None:
    baseline, baseline_s = plain_math_verify(items)
    ours = [r["status"] == "correct" for r in results]
    decided = [(i, b) for i, b in enumerate(baseline) if b is not None]
    agree = sum(ours[i] == b for i, b in decided)
    service_rate = len(items) / service_s
    baseline_rate = len(items) / baseline_s
    print(f"== {name}: {len(items)} items, {len({i['response'] for i in items})} distinct responses")
    print(f"POST /score (cold cache):       {service_s:8.2f} s  {service_rate:9.1f} items/s")
    print(f"POST /score (same batch again): {cached_s:8.2f} s  {len(items) / cached_s:9.1f} items/s")
    print(f"plain math-verify loop:         {baseline_s:8.2f} s  {baseline_rate:9.1f} items/s")
    print(f"ratio /score vs plain loop:     {service_rate / baseline_rate:8.2f}x")
    print(f"math-verify timeouts: {len(items) - len(decided)}")
    print(f"verdict agreement with math-verify: {agree}/{len(decided)} = {agree / len(decided):.4f}")
    seen = set()
    for i, b in decided:
        key = (items[i]["response"], items[i]["ground_truth"])
        if ours[i] != b and key not in seen:
            seen.add(key)
            r = results[i]
            print(
                f"  disagreement {items[i]['id']}: gold={items[i]['ground_truth']!r} ours={r['status']} "
                f"answer={r['details'].get('extracted_answer')!r} math-verify={b}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=8192)
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpora" / "qwen_math_cot_100.jsonl")
    args = parser.parse_args()

    rows = [json.loads(line) for line in args.corpus.open()]
    repeated = build_batch(rows, args.items)
    unique = distinct(repeated)

    for name, items in (
        ("distinct rollouts (what a GRPO step sends)", unique),
        ("corpus responses repeated", repeated),
    ):
        # A server per batch: the two share their answers, so one's verdicts would be
        # the other's cache hits.
        with running_server({"REWARD_LOG_LEVEL": "warning"}) as url, httpx.Client(timeout=600) as http:
            # Warm the HTTP path on an unrelated item so the timed batch starts from a cold cache.
            warm = {"id": "w", "task": "math", "response": "\\boxed{x+1}", "ground_truth": "1+x"}
            http.post(f"{url}/score", json={"items": [warm]})
            run = score_over_http(http, url, items)
        report(name, items, *run)


if __name__ == "__main__":
    main()
