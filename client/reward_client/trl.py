"""TRL `GRPOTrainer` reward functions backed by reward-service.

    from reward_client.trl import service_reward_func, service_reward_parts
    trainer = GRPOTrainer(..., reward_funcs=service_reward_func("http://reward-host:8000"))
    # or the composite reward's terms as separate functions (logged apart, one request per batch):
    trainer = GRPOTrainer(..., reward_funcs=service_reward_parts(options={"format": {"weight": 0.5}}))
    # or, from the command line: trl grpo ... --reward_funcs reward_client.trl.reward_func

Dataset columns arrive as keyword arguments, so the function's own settings are bound
positionally (a positional-only parameter): a column named `options`, `mode` or
`client` is a column like any other, never the function's configuration.

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

import asyncio
import functools
import hashlib
import json
import os
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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
        # A chat template with a reasoning parser moves the <think> part out of `content`:
        # put it back where the format and language checks look for it.
        reasoning = message.get("reasoning_content") or message.get("reasoning")
        if isinstance(reasoning, str) and reasoning:
            parts.append(f"<think>\n{reasoning}\n</think>")
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


@dataclass(frozen=True)
class RewardSettings:
    """What a reward function was made with: bound positionally, out of the columns' way."""

    client: RewardClient
    options: Mapping[str, Any] | None = None
    mode: str | None = None


async def _score(settings: RewardSettings, completions: Sequence[Any], columns: Mapping[str, Any]) -> list[Any | None]:
    """The service's result per completion (None for a row with nothing to check)."""
    items, positions = build_items(completions, columns, settings.mode)
    results: list[Any | None] = [None] * len(completions)
    if items:
        for position, result in zip(positions, await settings.client.ascore(items, settings.options), strict=True):
            results[position] = result
    return results


def _log(results: Sequence[Any | None], rewards: Sequence[float | None], columns: Mapping[str, Any]) -> None:
    log_extra, log_metric = columns.get("log_extra"), columns.get("log_metric")
    if callable(log_extra):
        log_extra("reward_status", [result.status if result is not None else "skipped" for result in results])
    decided = [reward for result, reward in zip(results, rewards, strict=True) if result is not None]
    if callable(log_metric) and decided:
        log_metric("reward_service/undecided", sum(reward is None for reward in decided) / len(decided))


async def service_reward(
    settings: RewardSettings, /, prompts: Sequence[Any], completions: Sequence[Any], **columns: Any
) -> list[float | None]:
    """One reward per completion: the service's score, None for a skipped row or one the service
    could not decide (a timeout, a sandbox failure), which TRL then leaves out instead of counting a 0."""
    results = await _score(settings, completions, columns)
    rewards = [result.score if result is not None else None for result in results]
    _log(results, rewards, columns)
    return rewards


def service_reward_func(
    url: str | None = None, *, options: Mapping[str, Any] | None = None, mode: str | None = None, **client_config: Any
) -> functools.partial[Any]:
    """The reward function to hand to `GRPOTrainer(reward_funcs=...)`: picklable, and detected as async.

    `url` defaults to $REWARD_SERVICE_URL, then http://127.0.0.1:8000; `options` are the service's
    scoring options (e.g. `{"format": {"weight": 0.5}}`); `client_config` goes to `RewardClient`.
    """
    settings = RewardSettings(RewardClient(url, **client_config), dict(options or {}) or None, mode)
    return functools.partial(service_reward, settings)


class SharedScores:
    """One scoring request per batch for several reward functions: the first to ask for a batch
    sends it, the others (TRL awaits them together on its event loop) wait for the same answer."""

    def __init__(self, settings: RewardSettings, kept: int = 4) -> None:
        self.settings = settings
        self._kept = kept
        self._batches: OrderedDict[str, asyncio.Future[list[Any | None]]] = OrderedDict()
        self.requests = 0

    def __getstate__(self) -> dict[str, Any]:
        return {"settings": self.settings, "kept": self._kept}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["settings"], state["kept"])  # type: ignore[misc]

    async def results(self, completions: Sequence[Any], columns: Mapping[str, Any]) -> list[Any | None]:
        key = _batch_key(completions, columns)
        future = self._batches.get(key)
        if future is None or future.get_loop() is not asyncio.get_running_loop():
            future = asyncio.get_running_loop().create_future()
            self._batches[key] = future
            while len(self._batches) > self._kept:
                self._batches.popitem(last=False)
            self.requests += 1
            try:
                future.set_result(await _score(self.settings, completions, columns))
            except BaseException as exc:
                future.set_exception(exc)
                del self._batches[key]
                raise
        return await asyncio.shield(future)


def _batch_key(completions: Sequence[Any], columns: Mapping[str, Any]) -> str:
    texts = [completion_text(completion) for completion in completions]
    wanted = {name: columns.get(name) for name in ("task", "tests", "language", *GROUND_TRUTH_COLUMNS)}
    return hashlib.sha256(json.dumps([texts, wanted], sort_keys=True, default=str).encode()).hexdigest()


async def service_reward_part(
    shared: SharedScores, part: str, /, prompts: Sequence[Any], completions: Sequence[Any], **columns: Any
) -> list[float | None]:
    """One term of the composite reward (details.terms[part], weighted by the service's options)."""
    results = await shared.results(completions, columns)
    rewards: list[float | None] = []
    for result in results:
        term = None if result is None or result.score is None else result.details.get("terms", {}).get(part)
        rewards.append(float(term) if term is not None else None)
    if part == "accuracy":
        _log(results, rewards, columns)
    return rewards


REWARD_PARTS = ("accuracy", "format", "language", "length")


def service_reward_parts(
    url: str | None = None,
    *,
    options: Mapping[str, Any] | None = None,
    parts: Sequence[str] | None = None,
    mode: str | None = None,
    **client_config: Any,
) -> list[functools.partial[Any]]:
    """The composite reward's terms as separate TRL reward functions (TRL logs each one, and
    `reward_weights` can weigh them), all served by one request per batch.

    `parts` defaults to accuracy plus the terms `options` asks for (`format`, `language`,
    `length_penalty` -> `length`). Each returns its term as the service weighs it, so with
    TRL's default weights of 1 their sum is the service's score.
    """
    chosen = list(parts) if parts is not None else _requested_parts(options or {})
    unknown = sorted(set(chosen) - set(REWARD_PARTS))
    if unknown:
        raise ValueError(f"unknown reward parts {unknown}; choose from {list(REWARD_PARTS)}")
    shared = SharedScores(RewardSettings(RewardClient(url, **client_config), dict(options or {}) or None, mode))
    functions = []
    for part in chosen:
        function = functools.partial(service_reward_part, shared, part)
        # TRL names a reward function's log column after `__name__`.
        function.__name__ = f"reward_{part}"  # type: ignore[attr-defined]
        functions.append(function)
    return functions


def _requested_parts(options: Mapping[str, Any]) -> list[str]:
    named = {"format": "format", "language": "language", "length_penalty": "length"}
    return ["accuracy", *(part for option, part in named.items() if options.get(option))]


def _from_environment() -> functools.partial[Any]:
    raw = os.environ.get(OPTIONS_ENV, "")
    try:
        options = json.loads(raw) if raw.strip() else None
    except ValueError as exc:
        raise ValueError(f"{OPTIONS_ENV} must be the JSON of /score's options: {exc}") from exc
    return service_reward_func(options=options)


OPTIONS_ENV = "REWARD_SERVICE_OPTIONS"

reward_func = _from_environment()
"""Ready for `trl grpo --reward_funcs reward_client.trl.reward_func`: the service at
$REWARD_SERVICE_URL (token $REWARD_SERVICE_TOKEN), scoring options from $REWARD_SERVICE_OPTIONS."""
