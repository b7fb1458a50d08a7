"""How often a GRPO batch reuses a verdict: the fast path, batch dedupe and the result cache.

GRPO samples a group of completions per prompt and revisits prompts in later
epochs. The corpus ../shared/corpora/qwen_math_cot_100.jsonl has 8 real
completions for each of 100 prompts; this splits them into two steps over the
same prompts (completions 1-4, then 5-8) and scores both through one server, so
step 2 meets the verdicts of step 1 in the cache, as a later epoch would.

Per step it prints how the items were settled: by the exact fast path (no
verification, no cache needed), as a duplicate of another item of the same batch,
from the cache (an earlier batch), or by a worker (a miss); and the hit rate,
(batch + cache) / every item that needed a verification.

    python -m benchmarks.cache_hit_rate [--corpus PATH]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from reward_service.app import create_app
from reward_service.settings import Settings

REPO = Path(__file__).resolve().parent.parent


def lookups(client: TestClient) -> dict[str, float]:
    metrics = client.app.state.scoring.metrics  # type: ignore[attr-defined]
    counts = {"batch": 0.0, "cache": 0.0, "miss": 0.0}
    for metric in metrics.cache_lookups.collect():
        for sample in metric.samples:
            if sample.name.endswith("_total"):
                counts[sample.labels["outcome"]] = sample.value
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpora" / "qwen_math_cot_100.jsonl")
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.corpus.open()]

    def step(first: int, last: int) -> list[dict[str, Any]]:
        return [
            {"id": f"{p}-{j}", "task": "math", "response": row["code"][j], "ground_truth": row["gt"]}
            for p, row in enumerate(rows)
            for j in range(first, min(last, len(row["code"])))
        ]

    with TestClient(create_app(Settings(workers=2))) as client:
        for name, items in [("step 1 (completions 1-4)", step(0, 4)), ("step 2 (completions 5-8)", step(4, 8))]:
            before = lookups(client)
            results = client.post("/score", json={"items": items}).json()["results"]
            after = lookups(client)
            delta = {k: int(after[k] - before[k]) for k in after}
            fast = sum(1 for r in results if r["details"].get("fast_path"))
            keyed = sum(delta.values())
            hits = delta["batch"] + delta["cache"]
            print(
                f"{name}: {len(items)} items; fast path {fast} ({fast / len(items):.0%}); "
                f"needed a verification {keyed}: batch duplicates {delta['batch']}, cache {delta['cache']}, "
                f"misses {delta['miss']}; hit rate {hits / keyed if keyed else 0:.0%}; "
                f"worker verifications per item {delta['miss'] / len(items):.3f}"
            )


if __name__ == "__main__":
    main()
