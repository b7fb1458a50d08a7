"""Queue names and Redis keys: the one place the API and the workers agree on them."""

from __future__ import annotations

# One queue per task, so slow code never starves math.
TASK_QUEUES = {"math": "reward-math", "code": "reward-code"}

# A request's reply list: the workers push each chunk's verdicts there.
REPLY_PREFIX = "reward:reply:"

# Held for a second by the one API process that cleans a queue's started registry.
JANITOR_PREFIX = "reward:janitor:"


def queue_name(task: str) -> str:
    return TASK_QUEUES[task]


def reply_key(request: str) -> str:
    return REPLY_PREFIX + request


def chunk_job_id(request: str, chunk: int) -> str:
    return f"reward-{request}-{chunk}"


def janitor_lock(queue: str) -> str:
    return JANITOR_PREFIX + queue
