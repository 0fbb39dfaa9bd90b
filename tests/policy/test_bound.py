"""The bound is one: exact on small cases, and no policy ever beats it."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from bench.policy.__main__ import main
from bench.policy.bound import best_schedule


def brute_force(offers: np.ndarray, value: np.ndarray) -> float:
    """Every subset of the offers: the best one whose tasks do not overlap."""
    starts = [int(i) for i in np.flatnonzero(offers) if i + offers[i] < len(offers)]
    best = 0.0
    for r in range(len(starts) + 1):
        for subset in itertools.combinations(starts, r):
            ends = [a + int(offers[a]) for a in subset]
            if all(ends[k] <= subset[k + 1] for k in range(len(subset) - 1)):
                best = max(best, sum(float(value[a : a + offers[a]].sum()) for a in subset))
    return best


@pytest.mark.parametrize("seed", range(20))
def test_the_schedule_is_the_exact_optimum(seed: int):
    rng = np.random.default_rng(seed)
    offers = np.zeros(60, dtype=np.int64)
    arrivals = rng.choice(60, size=8, replace=False)
    offers[arrivals] = rng.integers(1, 15, size=8)
    value = rng.uniform(0.0, 1.0, 60)
    allowed = np.ones(60, dtype=bool)
    assert best_schedule(offers, value, allowed) == pytest.approx(brute_force(offers, value))


def test_a_busy_arrival_is_never_scheduled():
    offers = np.zeros(30, dtype=np.int64)
    offers[[2, 10]] = 5
    value = np.ones(30)
    allowed = np.ones(30, dtype=bool)
    allowed[10] = False
    assert best_schedule(offers, value, allowed) == 5.0


@pytest.mark.parametrize(("scenario", "days"), [("grid_tied", 10), ("off_grid", 10)])
def test_no_policy_beats_the_bound(scenario: str, days: int, tmp_path: Path):
    args = ["--scenario", scenario, "--days", str(days), "--processes", "1", "--no-plots"]
    assert main([*args, "--report", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "report.json").read_text())
    bound = report.pop("bound")["green_compute_hours"]
    assert bound > 0
    for name, metrics in report.items():
        assert metrics["green_compute_hours"] <= bound, name
