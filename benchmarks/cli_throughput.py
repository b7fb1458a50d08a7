"""`reward-service score` against POST /score on the same items, in one run; and the language term's cost.

The workload is the 800 chain-of-thought responses of
../shared/corpora/qwen_math_cot_100.jsonl repeated to 8,192 items (16 per prompt,
ids unique). Both paths start cold (fresh process, empty result cache) and are
timed from the first item to the last result, without process start-up:

- /score: one POST of all items to a real `reward-service serve`.
- CLI: the same items as a JSONL file through the in-process pipeline, output
  written line by line (what `reward-service score FILE -o OUT` does after start-up).

Then the language term alone (`language_shares` on the reasoning of N responses,
one process, models already loaded) and its end-to-end cost on /score.

    python -m benchmarks.cli_throughput [--items 8192] [--language-items 1024]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console

from devstack.subprocess_server import running_server
from reward_service.schemas.scoring import ScoreOptions
from reward_service.score_file.run import ScoreFileConfig, score_file
from reward_service.score_file.scorers import InProcessScorer
from reward_service.settings import Settings
from reward_service.verifiers.language import language_shares

REPO = Path(__file__).resolve().parent.parent


def build_items(rows: list[dict[str, Any]], total: int, per_prompt: int = 16) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    slot = 0
    while len(items) < total:
        row = rows[slot % len(rows)]
        for k in range(min(per_prompt, total - len(items))):
            response = row["code"][k % len(row["code"])]
            items.append(
                {
                    "id": f"{slot}-{k}",
                    "prompt_id": slot,
                    "task": "math",
                    "response": response,
                    "ground_truth": row["gt"],
                }
            )
        slot += 1
    return items


def post_all(url: str, items: list[dict[str, Any]], options: dict[str, Any] | None = None) -> float:
    body: dict[str, Any] = {"items": items}
    if options:
        body["options"] = options
    with httpx.Client(timeout=1800) as http:
        started = time.perf_counter()
        http.post(f"{url}/score", json=body).raise_for_status()
        return time.perf_counter() - started


async def cli_run(source: Path, output: Path, workers: int) -> float:
    scorer = InProcessScorer(Settings(workers=workers))
    await scorer.start()
    try:
        config = ScoreFileConfig(input=source, output=output, progress=False)
        started = time.perf_counter()
        await score_file(config, scorer, Console(stderr=True, quiet=True))
        return time.perf_counter() - started
    finally:
        await scorer.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=8192)
    parser.add_argument("--language-items", type=int, default=1024)
    parser.add_argument("--workers", type=int, default=Settings().workers)
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpora" / "qwen_math_cot_100.jsonl")
    args = parser.parse_args()

    rows = [json.loads(line) for line in args.corpus.open()]
    items = build_items(rows, args.items)
    env = {"REWARD_LOG_LEVEL": "warning", "REWARD_WORKERS": str(args.workers)}
    warm = [{"id": "w", "task": "math", "response": "\\boxed{x+1}", "ground_truth": "1+x"}]
    language = {"language": {"target": "en", "weight": 0.1}}

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "rollouts.jsonl"
        source.write_text("".join(json.dumps(item) + "\n" for item in items))

        with running_server(env) as url:
            post_all(url, warm)
            api_s = post_all(url, items)
        cli_s = asyncio.run(cli_run(source, Path(folder) / "scored.jsonl", args.workers))

        subset = items[: args.language_items]
        with running_server(env) as url:
            post_all(url, warm)
            post_all(url, [{**warm[0], "id": "w2", "response": "Plain English words here."}], language)  # load models
            plain_s = post_all(url, subset)
        with running_server(env) as url:
            post_all(url, warm)
            post_all(url, [{**warm[0], "id": "w2", "response": "Plain English words here."}], language)
            shaped_s = post_all(url, subset, language)

    ScoreOptions.model_validate(language)  # the options the timing used are valid ones
    responses = [item["response"] for item in subset]
    language_shares(responses[:8], "en")  # models loaded before timing
    started = time.perf_counter()
    language_shares(responses, "en")
    alone_s = time.perf_counter() - started

    api_rate, cli_rate = len(items) / api_s, len(items) / cli_s
    print(f"items: {len(items)} ({len(rows)} prompts, 16 samples per prompt), workers: {args.workers}")
    print(f"POST /score, one request:   {api_s:8.2f} s  {api_rate:9.1f} items/s")
    print(f"reward-service score (CLI): {cli_s:8.2f} s  {cli_rate:9.1f} items/s")
    print(f"ratio CLI / /score:         {cli_rate / api_rate:8.2f}  (aim: >= 0.9)")
    print(f"language term on {len(subset)} items:")
    print(f"  language_shares alone:          {1000 * alone_s / len(subset):7.2f} ms/item (one process)")
    print(
        f"  /score with options.language:   {1000 * shaped_s / len(subset):7.2f} ms/item "
        f"vs {1000 * plain_s / len(subset):.2f} without: +{1000 * (shaped_s - plain_s) / len(subset):.2f} ms/item"
    )


if __name__ == "__main__":
    main()
