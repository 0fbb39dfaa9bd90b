"""The bound is one: exact on small cases, and no policy that meets its constraint beats it."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from bench.policy.__main__ import main
from bench.policy.bound import (
    DARK_ROUNDING_H,
    PackWindow,
    best_schedule,
    harvest_ceiling_w,
    off_grid_bound,
)
from hardware_bridge.power.chemistry import LIFEPO4, BatteryPack
from hardware_bridge.sim.battery import ChargeController


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
        if metrics.get("dark_hours_added", 0) == 0:  # the bound's constraint
            assert metrics["green_compute_hours"] <= bound, name


def pack_of(start_wh: float, full_wh: float = 1000.0, efficiency: float = 1.0) -> PackWindow:
    return PackWindow(
        floor_wh=0.0,
        full_wh=full_wh,
        start_wh=start_wh,
        charge_efficiency=efficiency,
        top_volts=13.0,
    )


def always_offered(hours: int, task_minutes: int = 30) -> np.ndarray:
    offers = np.zeros(hours * 60, dtype=np.int64)
    offers[::task_minutes] = task_minutes
    return offers


def slack_wh(pi_w: float, worker_w: float) -> float:
    """What the bound lets a policy have beyond the pack: one minute's draw below the floor (the
    minute the Witty Pi cuts the Pi) and the Pi's draw over the reported dark time's rounding."""
    return (pi_w + worker_w) / 60.0 + pi_w * DARK_ROUNDING_H


def test_in_the_dark_compute_gets_what_the_pack_holds_beyond_the_pis_need():
    # Ten hours, no sun, 100 Wh above the floor: the Pi takes 20 Wh, compute at 20 W the rest.
    offers = always_offered(10)
    bound = off_grid_bound(offers, np.zeros(len(offers)), 2.0, 20.0, pack_of(100.0), 0.0)
    assert bound == pytest.approx((80.0 + slack_wh(2.0, 20.0)) / 20.0)


def test_the_dark_time_none_had_may_be_spent_once():
    # The Pi alone empties the pack an hour early: none's dark hour is the Pi's energy back.
    offers = always_offered(10)
    no_sun = np.zeros(len(offers))
    slack = slack_wh(10.0, 20.0)
    assert off_grid_bound(offers, no_sun, 10.0, 20.0, pack_of(90.0), 1.0) == pytest.approx(
        slack / 20.0
    )
    # With 10 Wh more, compute gets those 10 Wh, and no more dark time than none's.
    assert off_grid_bound(offers, no_sun, 10.0, 20.0, pack_of(100.0), 1.0) == pytest.approx(
        (10.0 + slack) / 20.0
    )


def test_sun_stored_for_the_night_pays_the_packs_efficiency():
    # Sun the first hour only, 50 W over the Pi and compute: the four hours after run on what
    # the pack kept of it, less the Pi's draw.
    offers = always_offered(5)
    sun = np.zeros(len(offers))
    sun[:60] = 2.0 + 20.0 + 50.0
    bound = off_grid_bound(offers, sun, 2.0, 20.0, pack_of(0.0, efficiency=0.9), 0.0)
    after = (0.9 * 50.0 - 4 * 2.0 + slack_wh(2.0, 20.0)) / 20.0
    assert bound == pytest.approx(1.0 + after)


def test_the_hours_never_pass_the_offers():
    offers = np.zeros(600, dtype=np.int64)
    offers[[0, 200]] = 30  # an hour of tasks in ten
    sunny = np.full(600, 500.0)
    assert off_grid_bound(offers, sunny, 2.0, 20.0, pack_of(500.0), 0.0) == pytest.approx(1.0)


def test_a_pack_counts_the_energy_of_its_open_circuit_voltage():
    pack = BatteryPack.from_nominal(LIFEPO4, 12.8, 20.0)
    window = PackWindow.of(pack, 0.5, 60.0)
    low, high = pack.ocv(0.0), pack.ocv(100.0)
    assert low * 20.0 < window.full_wh < high * 20.0
    assert window.floor_wh < window.start_wh < window.full_wh
    assert window.top_volts == pytest.approx(high)


def test_a_pwm_panel_gives_its_current_and_an_mppt_one_its_power():
    watts, volts = np.array([0.0, 50.0, 200.0]), np.array([0.0, 18.0, 18.0])
    mppt = harvest_ceiling_w(watts, volts, ChargeController("mppt", 8.0, 0.95), 13.6)
    pwm = harvest_ceiling_w(watts, volts, ChargeController("pwm", 8.0, 1.0), 13.6)
    assert mppt.tolist() == pytest.approx([0.0, 47.5, 8.0 * 13.6])
    assert pwm.tolist() == pytest.approx([0.0, 50.0 / 18.0 * 13.6, 8.0 * 13.6])
