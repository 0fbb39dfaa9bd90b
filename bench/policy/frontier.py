"""How little grid a grid-tied worker can use for its hours: an informed oracle's frontier.

``python -m bench.policy.frontier [--scenario S] [--days N] [--report DIR]``

Home Assistant sees the meter a sample late and a forecast entity's hour. The oracle here is
told far more, so that what it cannot do, no controller in Home Assistant can:

- the TMY hour's true clear-sky index and the cloud model's hourly scaling (no forecast error);
- every load of the home ahead: the base profile, the devices, the appliances already on;
- the present minute's cloud exactly (no sensing delay).

It is not told the two things nothing in a home can know: the minute clouds ahead, which it
predicts by the cloud model's own AR(1) law (``clouds.py``; the clipping at a black or a 1.4
bright sky left out), and an appliance switched on after it decides, for which it knows each
appliance's rate and window. Nor does it keep a container up: it takes or leaves each offered
task on its own, when the task's expected grid energy is at most a share ``limit`` of its energy
(the choice that minimises expected grid for its hours when tasks are independent; one task at a
time makes it near that). It sees each task it takes through, as ours must (the issue's bar: no
task cut; naive and evcc spend less grid by switching off on import and wasting the task).
Sweeping ``limit`` gives green hours against grid share. A worker waits for its next offer
between tasks, so the grid share counts that idle draw too, all of it green (the most it could
dilute the grid's share).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from scipy.stats import norm

from bench.policy.clouds import PHI, hour_scale, raw_minute_index, unit_noise, within_hour_sd
from bench.policy.scenario import BenchScenario, load_bench
from bench.policy.traces import (
    CLOUD_SEED,
    Floats,
    Traces,
    appliance_runs,
    build,
    clear_panel,
    hourly_panel,
    local_times,
    panel_index,
)

GRID_BAR = 0.01  # the issue's bar for ours' grid share
LIMITS = (0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.08, 0.12, 0.2, 0.35)


def shortfall(level: float, mean: Floats, sd: Floats) -> Floats:
    """E[max(0, level - X)] for X normal(mean, sd)."""
    sd = np.maximum(sd, 1e-9)
    z = (level - mean) / sd
    result: Floats = (level - mean) * norm.cdf(z) + sd * norm.pdf(z)
    return result


def expected_import(worker_w: float, surplus: Floats, sd: Floats) -> Floats:
    """E[min(worker, max(0, worker - S))] for a normal surplus S: the grid a task draws."""
    result: Floats = shortfall(worker_w, surplus, sd) - shortfall(0.0, surplus, sd)
    return result


@dataclass(frozen=True)
class Foresight:
    """What the oracle knows, per minute of the run."""

    gain: Floats  # W at the meter per unit of the raw minute index (0 at night)
    index: Floats  # the hour's clear-sky index
    spread: Floats  # the hour's within-hour standard deviation of the minute index
    noise: Floats  # the cloud model's unit AR(1) noise: known up to the present minute
    home_w: Floats  # the home's load, every appliance use included
    runs: list[tuple[int, int, float]]  # the appliances' uses: (first minute, end minute, W)
    rates: list[tuple[float, int, Floats]]  # per appliance: W, minutes on, switch-ons a minute

    @classmethod
    def of(cls, s: BenchScenario, tr: Traces) -> Foresight:
        if s.kind != "grid_tied":
            raise ValueError("the frontier is grid-tied: off-grid the bound is the reference")
        smooth, _ = hourly_panel(s)
        index = panel_index(s, smooth, clear_panel(s, len(smooth) // 60))
        noise = unit_noise(len(smooth), np.random.default_rng(s.seed + CLOUD_SEED))
        scale = np.repeat(hour_scale(index, raw_minute_index(index, noise)), 60)
        hourly = np.repeat(index, 60)
        gain = np.divide(
            smooth * scale * s.home.inverter_efficiency,
            hourly,
            out=np.zeros_like(hourly),
            where=hourly > 0,
        )
        local = local_times(s, len(smooth))
        hour = local.hour.to_numpy() + local.minute.to_numpy() / 60.0
        rates = [
            (
                a.watts,
                round(a.minutes),
                np.where(
                    (hour >= a.earliest) & (hour < a.latest),
                    a.per_week / 7.0 / ((a.latest - a.earliest) * 60.0),
                    0.0,
                ),
            )
            for a in s.home.appliances
        ]
        runs = appliance_runs(s, np.random.default_rng(s.seed), len(smooth))
        spread = np.repeat(within_hour_sd(index), 60)
        return cls(gain, hourly, spread, noise, tr.home_w, runs, rates)

    def unforeseen_w(self, ahead: int) -> Floats:
        """At each minute t: the load at t + ahead of appliances switched on after t."""
        result = np.zeros(len(self.home_w))
        for a, b, watts in self.runs:
            lo, hi = max(a - ahead, 0), min(a, b - ahead)  # on in (t, t + ahead], still on then
            if lo < hi:
                result[lo:hi] += watts
        return result

    def expected_grid_wh(self, worker_w: float, longest: int) -> Floats:
        """Row k-1, column t: the grid Wh a task started at t draws in its first k minutes."""
        n = len(self.home_w)
        now = np.arange(n)
        result = np.zeros((longest, n))
        total = np.zeros(n)
        for k in range(longest):
            u = np.minimum(now + k, n - 1)
            known = self.home_w[u] - self.unforeseen_w(k)
            mean = self.gain[u] * (self.index[u] + self.spread[u] * PHI**k * self.noise) - known
            sd = self.gain[u] * self.spread[u] * np.sqrt(1.0 - PHI ** (2 * k))
            grid = expected_import(worker_w, mean, sd)
            for watts, minutes, rate in self.rates:  # on at u if switched on in (t, t + k]
                on = rate[u] * min(k, minutes)
                grid = grid + on * (expected_import(worker_w, mean - watts, sd) - grid)
            total = total + grid / 60.0
            result[k] = total
        return result


@dataclass(frozen=True)
class Point:
    limit: float  # the largest expected grid share of a task the oracle takes
    green_hours: float
    compute_hours: float
    grid_share: float


def frontier(s: BenchScenario, tr: Traces, limits: tuple[float, ...] = LIMITS) -> list[Point]:
    """The oracle's green hours and grid share at each limit, over the run's own minutes."""
    sight = Foresight.of(s, tr)
    worker_w, longest = s.worker_watts, s.tasks.limit_minutes
    expected = sight.expected_grid_wh(worker_w, longest)
    real = np.concatenate(
        [[0.0], np.cumsum(np.clip(worker_w - (tr.panel_w - tr.home_w), 0, worker_w))]
    )
    starts = np.flatnonzero(tr.offers)
    lengths = tr.offers[starts]
    energy = lengths * worker_w / 60.0
    share = expected[lengths - 1, starts] / energy
    idle_wh = s.worker_idle_watts * (60.0 / s.tasks.per_hour) / 60.0  # waiting for the next offer
    points = []
    for limit in limits:
        free_at, green_h, hours, grid_wh, compute_wh = 0, 0.0, 0.0, 0.0, 0.0
        for t, length, e, p in zip(starts, lengths, energy, share, strict=True):
            if t < free_at or tr.busy[t] or p > limit:
                continue
            drawn = (real[t + length] - real[t]) / 60.0
            free_at = t + length
            hours += length / 60.0
            green_h += length / 60.0 * (1.0 - drawn / e)
            grid_wh += drawn
            compute_wh += e + idle_wh
        grid = grid_wh / compute_wh if compute_wh else 0.0
        points.append(Point(limit, round(green_h, 1), round(hours, 1), round(grid, 4)))
    return points


def _along(points: list[Point], given: str, wanted: str, at: float) -> float | None:
    """``wanted`` where ``given`` is ``at``, linear between points; None beyond them."""
    ordered = sorted(points, key=lambda p: float(getattr(p, given)))
    xs = [float(getattr(p, given)) for p in ordered]
    if not xs or not xs[0] <= at <= xs[-1]:
        return None
    return float(np.interp(at, xs, [float(getattr(p, wanted)) for p in ordered]))


def grid_share_at(points: list[Point], green_hours: float) -> float | None:
    """The oracle's grid share at these green hours; None beyond its frontier."""
    return _along(points, "green_hours", "grid_share", green_hours)


def green_hours_at(points: list[Point], grid_share: float) -> float | None:
    """The oracle's green hours at this grid share; None beyond its frontier."""
    hours = _along(points, "grid_share", "green_hours", grid_share)
    return None if hours is None else round(hours, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.policy.frontier", description=__doc__)
    parser.add_argument("--scenario", default="grid_tied", help="a name in scenarios/ or a path")
    parser.add_argument("--days", type=int, help="days to run (default: the scenario's)")
    parser.add_argument("--report", type=Path, help="a report's directory: compare, write there")
    args = parser.parse_args(argv)
    report_json = None if args.report is None else args.report / "report.json"
    if report_json is not None and not report_json.is_file():
        parser.error(f"{report_json} does not exist: run python -m bench.policy there first")
    s = load_bench(args.scenario)
    if args.days:
        s = s.with_days(args.days)
    if s.kind != "grid_tied":
        parser.error(f"{s.name} is off-grid: the frontier is grid-tied (off-grid, see the bound)")
    points = frontier(s, build(s))
    print("| limit | green compute h | compute h | grid share |\n|---|---|---|---|")
    for p in points:
        print(f"| {p.limit} | {p.green_hours} | {p.compute_hours} | {100 * p.grid_share:.2f} % |")
    if args.report is not None and report_json is not None:
        report = json.loads(report_json.read_text())
        at = {}
        for name, metrics in report.items():
            hours = metrics["green_compute_hours"]
            at[name] = grid_share_at(points, hours)
            shown = "beyond the frontier" if at[name] is None else f"{100 * at[name]:.2f} %"
            print(f"{name} {hours} h: the oracle's grid share there {shown}")
        at_bar = green_hours_at(points, GRID_BAR)
        print(f"at a grid share of {100 * GRID_BAR:.0f} %: {at_bar} green hours")
        result = {
            "points": [asdict(p) for p in points],
            "grid_share_at": at,
            "green_hours_at_bar": at_bar,
        }
        (args.report / "frontier.json").write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
