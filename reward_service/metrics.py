"""Prometheus metrics, one registry per app (no process-global collectors)."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.items_scored = Counter(
            "reward_items_scored_total",
            "Items scored, by task and verdict status.",
            ["task", "status"],
            registry=self.registry,
        )
        self.request_seconds = Histogram(
            "reward_request_duration_seconds",
            "Wall time of one scoring request.",
            ["route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
            registry=self.registry,
        )
        self.batch_items = Histogram(
            "reward_batch_items",
            "Items per scoring request.",
            buckets=(1, 8, 32, 128, 512, 1024, 2048, 4096, 8192, 16384),
            registry=self.registry,
        )
        self.timeouts = Counter(
            "reward_timeouts_total",
            "Items whose verification ran out of time.",
            ["task"],
            registry=self.registry,
        )
        self.cache_lookups = Counter(
            "reward_cache_lookups_total",
            "Verdict reuse: `batch` (duplicate in the same request), `cache` (earlier request), `miss`.",
            ["outcome"],
            registry=self.registry,
        )
        self.queue_depth = Gauge(
            "reward_queue_depth",
            "Verification jobs submitted to workers and not finished yet.",
            registry=self.registry,
        )
        self.workers = Gauge("reward_workers", "Verifier worker processes.", registry=self.registry)
        # Operations (issue 6). The code verifier sets the next two; they stay at 0 until it does.
        self.sandbox_pool_size = Gauge(
            "reward_sandbox_pool_size",
            "Warm sandboxes ready to run code in this process.",
            registry=self.registry,
        )
        self.code_verdicts = Counter(
            "reward_code_verdicts_total",
            "Code items by language and verdict status.",
            ["language", "status"],
            registry=self.registry,
        )
        self.http_responses = Counter(
            "reward_http_responses_total",
            "HTTP answers by method, route template (`unmatched` for unknown paths) and status code.",
            ["method", "route", "status"],
            registry=self.registry,
        )

    def watch_queue(self, depth: Callable[[], float], workers: Callable[[], float]) -> None:
        self.queue_depth.set_function(depth)
        self.workers.set_function(workers)
