"""A batch in chunks (one RQ job each), and the book of chunks a request still waits for."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

from reward_service.verifiers.jobs import Job
from reward_service.verifiers.verdict import Status, Verdict, verdict_from_json


@dataclass
class Chunk:
    number: int
    task: str
    indices: list[int]
    rq_id: str = ""


def split(jobs: Sequence[Job], workers: int, math_chunk_size: int, code_chunk_size: int) -> list[Chunk]:
    """Chunks of one task each, at most the task's chunk size, small batches spread over the workers."""
    by_task: dict[str, list[int]] = {}
    for index, job in enumerate(jobs):
        by_task.setdefault(job.task, []).append(index)
    chunks: list[Chunk] = []
    for task, indices in by_task.items():
        limit = code_chunk_size if task == "code" else math_chunk_size
        size = max(1, min(limit, math.ceil(len(indices) / max(2, 2 * workers))))
        for start in range(0, len(indices), size):
            chunks.append(Chunk(len(chunks), task, indices[start : start + size]))
    return chunks


def infrastructure_verdict(task: str, message: str) -> Verdict:
    """A verdict for an item the queue failed (not the item's fault): score null."""
    status: Status = "sandbox_error" if task == "code" else "error"
    return Verdict(status, None, {"error": message})


class Outstanding:
    """The chunks of one request that have not replied yet; each chunk is settled once."""

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        self.chunks = {chunk.number: chunk for chunk in chunks}

    def __bool__(self) -> bool:
        return bool(self.chunks)

    @property
    def items(self) -> int:
        return sum(len(chunk.indices) for chunk in self.chunks.values())

    def take_reply(self, reply: bytes | str | int) -> list[tuple[int, Verdict]]:
        message = json.loads(reply if isinstance(reply, (bytes, str)) else str(reply))
        chunk = self.chunks.pop(int(message["chunk"]), None)
        if chunk is None:
            return []  # a second delivery of a retried chunk
        verdicts = [verdict_from_json(v) for v in message["verdicts"]]
        if len(verdicts) != len(chunk.indices):
            return [(i, infrastructure_verdict(chunk.task, "worker returned a malformed chunk")) for i in chunk.indices]
        return list(zip(chunk.indices, verdicts, strict=True))

    def fail(self, number: int, message: str) -> list[tuple[int, Verdict]]:
        chunk = self.chunks.pop(number, None)
        if chunk is None:
            return []
        return [(index, infrastructure_verdict(chunk.task, message)) for index in chunk.indices]

    def fail_all(self, message: str) -> list[tuple[int, Verdict]]:
        return [pair for number in list(self.chunks) for pair in self.fail(number, message)]
