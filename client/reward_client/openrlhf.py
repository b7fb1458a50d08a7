"""OpenRLHF's `.py` reward mode, backed by reward-service.

    export REWARD_SERVICE_URL=http://reward-host:8000
    --reward.remote_url "$(python -c 'import reward_client.openrlhf as m; print(m.__file__)')"

Convention, from OpenRLHF 0.11.0 (openrlhf/utils/agent.py, `SingleTurnAgentExecutor`, commit
3c3be62, August 2026): a `--reward.remote_url` ending in `.py` is loaded with
`spec_from_file_location` and its `reward_func(queries, prompts, labels)` is called once per
rollout, from a thread (`asyncio.to_thread`), with one-element lists: `queries` is prompt plus
response decoded with special tokens kept. The answer is a dict with `rewards`, `scores` and
`extra_logs`, as the HTTP mode returns.

This file only forwards to the service's `POST /openrlhf` (which strips the prompt and the
trailing special tokens, and turns labels into items), merging the rollouts that finish at about
the same time into one request. Plain HTTP mode needs none of this: pass
`--reward.remote_url http://reward-host:8000/openrlhf`.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from typing import Any

from reward_client.batching import MicroBatcher
from reward_client.client import RewardClient
from reward_client.errors import ProtocolMismatch

Row = tuple[Any, Any, Any]  # (query, prompt, label)
Reward = tuple[float, float, dict[str, Any]]  # (reward, score, extra logs of this rollout)


def _split(answer: Any, count: int) -> list[Reward]:
    try:
        rewards, scores, logs = answer["rewards"], answer["scores"], answer.get("extra_logs") or {}
        if len(rewards) != count or len(scores) != count or any(len(v) != count for v in logs.values()):
            raise ValueError(f"{len(rewards)} rewards for {count} rollouts")
        return [(rewards[i], scores[i], {key: values[i] for key, values in logs.items()}) for i in range(count)]
    except (KeyError, TypeError, ValueError) as exc:
        raise ProtocolMismatch(f"unexpected /openrlhf answer: {str(answer)[:500]}") from exc


@functools.cache
def _batcher(url: str | None, pid: int) -> MicroBatcher[Row, Reward]:
    # One per process: a forked worker must not share the parent's lock or connections.
    client = RewardClient(url)

    def send(rows: list[Row]) -> list[Reward]:
        queries, prompts, labels = zip(*rows, strict=False)
        answer = client.post_json("/openrlhf", {"query": queries, "prompts": prompts, "labels": labels})
        return _split(answer, len(rows))

    return MicroBatcher(send, client.config.batch_window_s, client.config.batch_max_items)


def reward_func(queries: Sequence[str], prompts: Sequence[str], labels: Sequence[Any], **kwargs: Any) -> dict[str, Any]:
    """OpenRLHF's reward function: `{"rewards": [...], "scores": [...], "extra_logs": {name: [...]}}`."""
    rows = list(zip(queries, prompts, labels, strict=True))
    answers = _batcher(kwargs.get("url"), os.getpid()).submit(rows) if rows else []
    logs: dict[str, list[Any]] = {}
    for _, _, extra in answers:
        for key, value in extra.items():
            logs.setdefault(key, []).append(value)
    return {"rewards": [a[0] for a in answers], "scores": [a[1] for a in answers], "extra_logs": logs}
