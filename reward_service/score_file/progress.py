"""The progress bar: items/s, ETA and the running accuracy (rich)."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class ItemRateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        if speed is None and task.elapsed:
            speed = task.completed / task.elapsed  # rich needs two updates to estimate; one chunk gives one
        return Text("- items/s" if speed is None else f"{speed:,.0f} items/s", style="progress.data.speed")


class ScoreProgress:
    def __init__(self, total: int, console: Console, enabled: bool = True) -> None:
        self._progress = Progress(
            TextColumn("[bold]scoring"),
            BarColumn(),
            MofNCompleteColumn(),
            ItemRateColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[accuracy]}"),
            console=console,
            disable=not enabled,
        )
        self._task = self._progress.add_task("score", total=total, accuracy="accuracy -")
        self._correct = 0
        self._decided = 0

    def __enter__(self) -> ScoreProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def advance(self, lines: int, correct: int = 0, decided: int = 0) -> None:
        self._correct += correct
        self._decided += decided
        accuracy = f"accuracy {self._correct / self._decided:.3f}" if self._decided else "accuracy -"
        self._progress.update(self._task, advance=lines, accuracy=accuracy)
