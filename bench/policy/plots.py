"""The report's plots: a representative day, and the year's green compute hours by policy."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from bench.policy.run import Tally
from bench.policy.scenario import BenchScenario
from bench.policy.traces import MINUTES_PER_DAY, Traces, local_times

COLORS = {"ours": "tab:green", "naive": "tab:red", "evcc": "tab:orange", "soc_rule": "tab:blue"}


def _shown(tallies: dict[str, Tally]) -> list[str]:
    return [name for name in COLORS if name in tallies]


def representative_day(s: BenchScenario, tallies: dict[str, Tally]) -> int:
    """A day with surplus and weather: the one where the naive controller started most often."""
    starts = np.diff(tallies["naive"].running.astype(np.int16) > 0, prepend=0) > 0
    per_day = starts.reshape(s.days, MINUTES_PER_DAY).sum(axis=1)
    return int(np.argmax(per_day))


def plot_day(s: BenchScenario, tr: Traces, tallies: dict[str, Tally], day: int, path: Path) -> None:
    a, b = day * MINUTES_PER_DAY, (day + 1) * MINUTES_PER_DAY
    hours = local_times(s, tr.minutes)[a:b]
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(10, 6), sharex=True, gridspec_kw={"height_ratios": [3, 2]}
    )
    if s.kind == "grid_tied":
        top.plot(hours, tr.panel_w[a:b], color="gold", lw=1, label="PV (AC)")
        top.plot(hours, tr.home_w[a:b], color="grey", lw=1, label="home")
        top.plot(
            hours,
            np.clip(tr.panel_w[a:b] - tr.home_w[a:b], 0, None),
            color="black",
            lw=1,
            label="surplus without compute",
        )
        top.axhline(s.worker_watts, color="tab:green", ls="--", lw=1, label="worker power")
        busy = tr.busy[a:b] > 0
        top.fill_between(
            hours, 0, top.get_ylim()[1] * busy, color="purple", alpha=0.1, label="device busy"
        )
    else:
        top.plot(hours, tr.panel_w[a:b], color="gold", lw=1, label="panel can give (W)")
        top.axhline(s.worker_watts, color="tab:green", ls="--", lw=1, label="worker power")
    top.set_ylabel("W")
    top.legend(loc="upper left", fontsize=8)
    top.set_title(f"{s.name}: {hours[0]:%Y-%m-%d} (local time)")
    shown = _shown(tallies)
    for row, name in enumerate(shown):
        state = tallies[name].running[a:b]
        bottom.fill_between(
            hours, row + 0.1, row + 0.1 + 0.8 * (state == 2), step="post", color=COLORS[name], lw=0
        )
        edges = np.flatnonzero(np.diff(state == 2, prepend=False, append=False))
        for k in edges[::2]:
            if k < len(hours):
                bottom.plot([hours[k], hours[k]], [row + 0.1, row + 0.9], color="white", lw=0.5)
    bottom.set_yticks([r + 0.5 for r in range(len(shown))], shown)
    bottom.set_xlabel("tasks running (white ticks: a task starts)")
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_year(s: BenchScenario, tallies: dict[str, Tally], path: Path) -> None:
    months = np.array([(s.start.toordinal() + d) for d in range(s.days)])
    from datetime import date

    month_of = np.array([date.fromordinal(int(o)).month for o in months])
    fig, ax = plt.subplots(figsize=(10, 4))
    shown = _shown(tallies)
    width = 0.8 / len(shown)
    for k, name in enumerate(shown):
        daily = tallies[name].daily_green_hours
        monthly = [daily[month_of == m].sum() for m in range(1, 13)]
        total = daily.sum()
        ax.bar(
            np.arange(1, 13) + (k - (len(shown) - 1) / 2) * width,
            monthly,
            width,
            color=COLORS[name],
            label=f"{name}: {total:.0f} h",
        )
    ax.set_xticks(range(1, 13), ["J", "F", "M", "A", "M", "J", "J", "A", "S", "O", "N", "D"])
    ax.set_ylabel("green compute hours")
    ax.set_title(f"{s.name}: green compute hours by month, {s.days} days")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_all(s: BenchScenario, tr: Traces, tallies: dict[str, Tally], directory: Path) -> None:
    plot_day(s, tr, tallies, representative_day(s, tallies), directory / f"{s.name}_day.png")
    plot_year(s, tallies, directory / f"{s.name}_year.png")
