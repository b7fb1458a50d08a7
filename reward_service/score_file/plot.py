"""The distribution of per-group pass rates, as a PNG."""

from __future__ import annotations

from pathlib import Path


def plot_pass_rates(rates: list[float], path: Path, group_size: int) -> None:
    try:
        import matplotlib
    except ImportError as exc:
        raise RuntimeError("--plot needs matplotlib: pip install 'reward-service[plot]'") from exc

    matplotlib.use("Agg")  # files only, never a display
    import matplotlib.pyplot as plt

    # One bar per possible fraction c/n when the groups are of one size.
    bins = [(i - 0.5) / group_size for i in range(group_size + 2)] if group_size > 1 else 10
    figure, axes = plt.subplots(figsize=(7, 4), dpi=110)
    axes.hist(rates, bins=bins, color="#4c72b0", edgecolor="white")
    axes.set_xlim(-0.5 / max(group_size, 1) - 0.02, 1.02 + 0.5 / max(group_size, 1))
    axes.set_xlabel("share of correct samples in the group (pass rate)")
    axes.set_ylabel("groups")
    axes.set_title(f"Per-group pass rates ({len(rates):,} groups)")
    axes.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, format="png")
    plt.close(figure)
