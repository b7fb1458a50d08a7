"""A TRL `GRPOTrainer` reward function backed by reward-service.

    from reward_client.trl import service_reward_func
    trainer = GRPOTrainer(..., reward_funcs=service_reward_func("http://reward-host:8000"))

Calling convention, from huggingface/trl 1.10.0.dev0 (trl/trainer/grpo_trainer.py,
`GRPOTrainer._calculate_rewards`, commit f2cd577, July 2026):
- a custom reward function is called as `func(prompts=..., completions=...,
  completion_ids=..., **reward_kwargs)`; reward_kwargs holds every dataset column but
  prompt/completion/completion_ids (one entry per completion), plus `trainer_state`,
  `log_extra(column, values)`, `log_metric(name, value)` and, with environments, `environments`;
- `inspect.iscoroutinefunction(func)` picks the async path (run with asyncio.gather on the
  trainer's daemon event loop, beside the other async reward functions). That is true for
  an `async def` function and for a `functools.partial` of one, false for an object whose
  `__call__` is async (that one would be called without being awaited): hence a partial;
- a `None` reward becomes NaN and leaves that reward function out for that completion;
- conversational datasets give each completion as a list of messages
  (`[{"role": "assistant", "content": "..."}]`), standard ones as a string.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from reward_client.client import RewardClient
from reward_client.items import as_tests, code_item, math_item

GROUND_TRUTH_COLUMNS = ("ground_truth", "answer", "solution")
"""Dataset columns read as a math item's ground truth, first present wins (`solution` may be a worked
solution: the service takes its last \\boxed{})."""


def completion_text(completion: Any) -> str:
    """The text of a completion in TRL's standard (str) or conversational (list of messages) format."""
    if isinstance(completion, str):
        return completion
    parts: list[str] = []
    for message in completion:
        if message.get("role", "assistant") != "assistant":
            continue  # tool results are not the model's words
        content = message.get("content") or ""
        if isinstance(content, str):
            parts.append(content)
        else:  # multimodal content: a list of typed parts
            parts.extend(part.get("text", "") for part in content if part.get("type") == "text")
    return "\n".join(parts)


def _column(columns: Mapping[str, Any], name: str, index: int) -> Any:
    values = columns.get(name)
    return None if values is None else values[index]


def build_items(
    completions: Sequence[Any], columns: Mapping[str, Any], mode: str | None = None
) -> tuple[list[dict[str, Any]], list[int]]:
    """Items for the completions that have something to check, and their positions.

    A row whose `task` column says code (or that has a `tests` column value) becomes a code item;
    otherwise a math item when one of GROUND_TRUTH_COLUMNS holds a value. Rows with neither are skipped.
    """
    items: list[dict[str, Any]] = []
    positions: list[int] = []
    for index, completion in enumerate(completions):
        text = completion_text(completion)
        task = _column(columns, "task", index)
        tests = as_tests(_column(columns, "tests", index))
        if tests is not None and task in (None, "code"):
            items.append(code_item(text, tests, id=str(index), language=_column(columns, "language", index)))
            positions.append(index)
            continue
        if task not in (None, "math"):
            continue
        truth = next((v for name in GROUND_TRUTH_COLUMNS if (v := _column(columns, name, index)) is not None), None)
        if truth is not None:
            items.append(math_item(text, truth, id=str(index), mode=mode))
            positions.append(index)
    return items, positions


async def service_reward(
    prompts: Sequence[Any],
    completions: Sequence[Any],
    *,
    client: RewardClient,
    options: Mapping[str, Any] | None = None,
    mode: str | None = None,
    log_extra: Callable[[str, list[Any]], None] | None = None,
    log_metric: Callable[[str, float], None] | None = None,
    **columns: Any,
) -> list[float | None]:
    """One reward per completion: the service's score, None for a skipped row or one the service
    could not decide (a timeout, a sandbox failure), which TRL then leaves out instead of counting a 0."""
    items, positions = build_items(completions, columns, mode)
    rewards: list[float | None] = [None] * len(completions)
    statuses = ["skipped"] * len(completions)
    if items:
        for position, result in zip(positions, await client.ascore(items, options), strict=True):
            rewards[position] = result.score
            statuses[position] = result.status
    if callable(log_extra):
        log_extra("reward_status", statuses)
    if callable(log_metric) and items:
        log_metric("reward_service/undecided", sum(rewards[p] is None for p in positions) / len(positions))
    return rewards


def service_reward_func(
    url: str | None = None, *, options: Mapping[str, Any] | None = None, mode: str | None = None, **client_config: Any
) -> functools.partial[Any]:
    """The reward function to hand to `GRPOTrainer(reward_funcs=...)`: picklable, and detected as async.

    `url` defaults to $REWARD_SERVICE_URL, then http://127.0.0.1:8000; `options` are the service's
    scoring options (e.g. `{"format": {"weight": 0.5}}`); `client_config` goes to `RewardClient`.
    """
    return functools.partial(
        service_reward, client=RewardClient(url, **client_config), options=dict(options or {}) or None, mode=mode
    )
