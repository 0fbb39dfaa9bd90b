"""The controllers see only the past: the meter as of the previous sample, and a forecast made
without the minute's clouds."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from bench.policy import traces
from bench.policy.__main__ import _controller
from bench.policy.run import run_grid_tied
from bench.policy.scenario import load_bench
from bench.policy.traces import MINUTES_PER_DAY, Traces, build


@pytest.fixture(scope="module")
def site():
    s = load_bench("grid_tied").with_days(3)
    return s, build(s)


@pytest.mark.parametrize("name", ["ours", "naive", "evcc"])
def test_a_changed_future_leaves_every_decision_before_it(site, name: str):
    s, tr = site
    before = run_grid_tied(s, tr, _controller(name, s)).running
    # From noon of the second day on: a dark sky and a kettle that never stops.
    k = MINUTES_PER_DAY + 17 * 60
    panel, home = tr.panel_w.copy(), tr.home_w.copy()
    panel[k:] *= 0.2
    home[k:] += 2000.0
    after = run_grid_tied(s, replace(tr, panel_w=panel, home_w=home), _controller(name, s)).running
    # Minute k's decision was made on minute k-1's meter: it stands; what follows may change.
    assert np.array_equal(before[: k + 1], after[: k + 1])
    assert not np.array_equal(before, after)


def under_other_clouds(s, monkeypatch: pytest.MonkeyPatch) -> tuple[Traces, Traces]:
    """The site's traces, and again with other clouds over the same hours."""
    one = build(s)
    other_clouds = traces.cloud_factor

    def clouds(index: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return other_clouds(index, np.random.default_rng(99))

    monkeypatch.setattr(traces, "cloud_factor", clouds)
    other = build(s)
    assert not np.array_equal(one.panel_w, other.panel_w)
    return one, other


def test_the_forecast_does_not_know_the_minutes_clouds(monkeypatch: pytest.MonkeyPatch):
    # Other clouds over the same hours: the panel's minutes change, the forecast must not.
    one, other = under_other_clouds(load_bench("grid_tied").with_days(2), monkeypatch)
    assert one.forecast_wh is not None
    assert other.forecast_wh is not None
    assert np.array_equal(one.forecast_wh, other.forecast_wh)
    # An entity that refreshes hourly: flat within each hour.
    hours = one.forecast_wh.reshape(-1, 60)
    assert np.all(hours == hours[:, :1])


def test_the_days_ahead_do_not_know_the_minutes_clouds_and_miss_more_further_ahead(
    monkeypatch: pytest.MonkeyPatch,
):
    s = load_bench("off_grid").with_days(60)
    one, other = under_other_clouds(s, monkeypatch)
    assert one.days_ahead_wh is not None
    assert other.days_ahead_wh is not None
    assert np.array_equal(one.days_ahead_wh, other.days_ahead_wh, equal_nan=True)
    # Seen at local noon (17:00 UTC in Greensboro), each lead against the day's real harvest.
    harvest = one.panel_w.reshape(-1, MINUTES_PER_DAY).sum(axis=1) / 60.0
    noon = np.arange(s.days) * MINUTES_PER_DAY + 17 * 60
    errors = []
    for lead in range(s.forecast.days):
        seen = one.days_ahead_wh[noon, lead]
        known = ~np.isnan(seen)
        assert known.sum() > 50  # only the last days' targets lie past the run
        target = np.arange(s.days)[known] + lead + 1
        errors.append(np.std(np.log(seen[known] / harvest[target])))
    assert errors[0] < errors[-1]
    assert 0.05 < errors[0] < 0.6  # a day-ahead forecast: neither perfect nor blind
