"""The end-of-run summary: statuses, mean score, pass@k per group (unbiased estimator), hard prompts."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from rich.console import Console
from rich.table import Table


def pass_at_k(n: int, c: int, k: int) -> float:
    """Chen et al. (2021): 1 - C(n-c, k) / C(n, k), as a product so large n stays finite."""
    if n - c < k:
        return 1.0
    return 1.0 - math.prod(1.0 - k / i for i in range(n - c + 1, n + 1))


@dataclass
class GroupTally:
    samples: int = 0  # with a decided score (an infrastructure failure is no sample)
    correct: int = 0


@dataclass
class RunSummary:
    statuses: Counter[str] = field(default_factory=Counter)
    score_sum: float = 0.0
    scored: int = 0
    groups: dict[str, GroupTally] = field(default_factory=dict)
    scored_this_run: int = 0
    resumed: int = 0
    rejected_lines: int = 0
    seconds: float = 0.0
    selected: int | None = None
    dropped_by_filter: Counter[str] = field(default_factory=Counter)

    def add(self, group: str, status: str, score: float | None, correct: bool) -> None:
        self.statuses[status] += 1
        tally = self.groups.setdefault(group, GroupTally())
        if score is None:
            return
        self.score_sum += score
        self.scored += 1
        tally.samples += 1
        tally.correct += correct

    @property
    def items(self) -> int:
        return sum(self.statuses.values())

    @property
    def mean_score(self) -> float | None:
        return self.score_sum / self.scored if self.scored else None

    def default_k(self) -> int:
        sizes = Counter(t.samples for t in self.groups.values() if t.samples)
        return sizes.most_common(1)[0][0] if sizes else 1

    def mean_pass_at(self, k: int) -> tuple[float | None, int]:
        """Mean pass@k over the groups with at least k decided samples, and how many those are."""
        values = [pass_at_k(t.samples, t.correct, k) for t in self.groups.values() if t.samples >= k]
        return (sum(values) / len(values) if values else None), len(values)

    def hard_groups(self) -> list[str]:
        return [group for group, tally in self.groups.items() if tally.samples and not tally.correct]

    def pass_rates(self) -> list[float]:
        return [t.correct / t.samples for t in self.groups.values() if t.samples]

    def table(self, k: int) -> Table:
        table = Table(title="reward-service score", show_header=True, header_style="bold")
        table.add_column("metric")
        table.add_column("value", justify="right")
        table.add_row("items in output", f"{self.items:,}")
        table.add_row("  scored in this run", f"{self.scored_this_run:,}")
        table.add_row("  already there (resumed)", f"{self.resumed:,}")
        table.add_row("malformed input lines", f"{self.rejected_lines:,}")
        for status, count in sorted(self.statuses.items(), key=lambda kv: -kv[1]):
            table.add_row(f"status {status}", f"{count:,} ({count / max(1, self.items):.1%})")
        mean = self.mean_score
        table.add_row("mean score", "-" if mean is None else f"{mean:.4f}")
        table.add_row("groups", f"{len(self.groups):,}")
        for kk in sorted({1, k}):
            value, counted = self.mean_pass_at(kk)
            shown = "-" if value is None else f"{value:.4f}"
            table.add_row(f"pass@{kk} (mean over {counted:,} groups)", shown)
        table.add_row("groups with no correct sample", f"{len(self.hard_groups()):,}")
        rate = self.scored_this_run / self.seconds if self.seconds > 0 else 0.0
        table.add_row("throughput", f"{rate:,.0f} items/s ({self.seconds:.1f} s)")
        if self.selected is not None:
            table.add_row("selected for SFT", f"{self.selected:,}")
            for reason, count in sorted(self.dropped_by_filter.items()):
                table.add_row(f"  correct but dropped: {reason}", f"{count:,}")
        return table

    def print(self, k: int, console: Console | None = None) -> None:
        (console or Console()).print(self.table(k))
