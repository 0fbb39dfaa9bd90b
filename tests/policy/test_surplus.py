"""Surplus from a home's meters and from the Pi's own readings; the smoother."""

from __future__ import annotations

import math

import pytest

from custom_components.positive_energy_worker.surplus import (
    GridMeter,
    HomeBattery,
    OffGridConfig,
    OffGridEstimator,
    OffGridReading,
    Smoother,
    busy_consumers,
    grid_surplus,
)
from hardware_bridge.power.chemistry import LIFEPO4, BatteryPack
from hardware_bridge.sim.battery import Battery, ChargeController

PACK = BatteryPack(LIFEPO4, 4, 20.0)
CONFIG = OffGridConfig(capacity_wh=256.0, reserve_soc=40.0, probe_every_s=1800.0)


def test_import_positive_and_export_positive_meters_agree():
    assert grid_surplus(GridMeter(grid_w=-500.0), 0.0) == 500.0
    assert grid_surplus(GridMeter(grid_w=500.0, export_positive=True), 0.0) == 500.0


def test_production_and_consumption_give_the_export():
    assert grid_surplus(GridMeter(production_w=3000.0, consumption_w=1200.0), 0.0) == 1800.0


def test_a_meter_without_readings_is_an_error():
    with pytest.raises(ValueError, match="production and consumption"):
        GridMeter(production_w=3000.0).export_w()


def test_a_running_worker_does_not_eat_its_own_surplus():
    before = grid_surplus(GridMeter(grid_w=-150.0), worker_w=0.0)
    after = grid_surplus(GridMeter(grid_w=-30.0), worker_w=120.0)  # the worker started
    assert before == after == 150.0


def test_a_home_battery_below_its_priority_soc_comes_first():
    battery = HomeBattery(soc=50.0, charge_w=1000.0, max_charge_w=3000.0, priority_soc=80.0)
    # No export: the battery takes it all and could take 2 kW more.
    assert grid_surplus(GridMeter(grid_w=0.0), 0.0, battery) == -2000.0


def test_a_home_battery_at_its_charge_limit_leaves_the_export():
    battery = HomeBattery(soc=50.0, charge_w=3000.0, max_charge_w=3000.0, priority_soc=80.0)
    assert grid_surplus(GridMeter(grid_w=-400.0), 0.0, battery) == 400.0


def test_a_home_battery_past_its_priority_soc_yields_its_charging():
    battery = HomeBattery(soc=90.0, charge_w=800.0, max_charge_w=3000.0, priority_soc=80.0)
    assert grid_surplus(GridMeter(grid_w=-100.0), 0.0, battery) == 900.0


def test_busy_consumers_are_named():
    assert busy_consumers({"ev_charger": True, "tv": False, "console": True}) == (
        "console",
        "ev_charger",
    )


def reading(time: float, soc: float, battery_w: float, panel_w: float, worker_w: float):
    return OffGridReading(time, soc, battery_w, panel_w, 2.7 + worker_w, worker_w)


def test_charging_the_battery_will_not_need_is_surplus():
    estimator = OffGridEstimator(CONFIG)
    # 95 %: 12.8 Wh of room fills in 2 h at 6.4 W; 40 W of charging leaves 33.6 W.
    estimate = estimator.estimate(reading(0.0, 95.0, 40.0, 43.0, 0.0), 3.7)
    assert estimate.surplus_w == pytest.approx(40.0 - 12.8 / 2.0)
    low = estimator.estimate(reading(0.0, 50.0, 40.0, 43.0, 0.0), 3.7)
    assert low.surplus_w < 0  # half empty: the battery needs all of it


def test_a_full_battery_holding_asks_for_a_probe():
    estimate = OffGridEstimator(CONFIG).estimate(reading(0.0, 100.0, 0.0, 2.7, 0.0), 3.7)
    assert estimate.probe
    assert estimate.surplus_w == pytest.approx(0.0)  # no meter shows the curtailment


def test_a_failed_probe_is_not_repeated_at_once():
    estimator = OffGridEstimator(CONFIG)
    # Probing: the worker runs and the battery turns to feed it.
    failed = estimator.estimate(reading(0.0, 100.0, -3.7, 2.7, 3.7), 3.7)
    assert failed.surplus_w == pytest.approx(0.0, abs=0.1)
    assert estimator.failed_probe_at == 0.0
    assert not estimator.estimate(reading(600.0, 100.0, 0.0, 2.7, 0.0), 3.7).probe
    assert estimator.estimate(reading(1800.0, 100.0, 0.0, 2.7, 0.0), 3.7).probe


def probe(panel_w: float) -> tuple[float, float]:
    """The simulation's own battery and controller at full charge, the worker started."""
    battery = Battery(PACK, 100.0, ChargeController())
    idle = battery.step(60.0, panel_w, 18.0, 2.7)
    busy = battery.step(60.0, panel_w, 18.0, 6.4)
    return idle.battery_current * idle.battery_voltage, busy.battery_current * busy.battery_voltage


def test_the_probe_finds_a_curtailing_controller_that_carries_the_worker():
    idle_w, busy_w = probe(panel_w=60.0)
    estimator = OffGridEstimator(CONFIG)
    assert estimator.estimate(reading(0.0, 100.0, idle_w, 2.7, 0.0), 3.7).probe
    estimate = estimator.estimate(reading(60.0, 100.0, busy_w, 6.4, 3.7), 3.7)
    assert estimate.surplus_w >= 3.7 - CONFIG.holding_w  # the controller ramped up
    assert estimator.failed_probe_at is None


def test_the_probe_sees_a_controller_with_nothing_to_give():
    _, busy_w = probe(panel_w=3.0)  # the panel barely carries the idle Pi
    estimator = OffGridEstimator(CONFIG)
    estimate = estimator.estimate(reading(60.0, 99.9, busy_w, 3.0, 3.7), 3.7)
    assert estimate.surplus_w < 1.0
    assert estimator.failed_probe_at == 60.0


def test_the_store_above_the_reserve_carries_compute_through_the_night():
    night = OffGridEstimator(CONFIG).estimate(reading(0.0, 80.0, -2.7, 0.0, 0.0), 3.7)
    # 40 % of 256 Wh = 102.4 Wh at 2.7 + 3.7 W.
    assert night.carry_hours == pytest.approx(102.4 / 6.4)
    below = OffGridEstimator(CONFIG).estimate(reading(0.0, 30.0, -2.7, 0.0, 0.0), 3.7)
    assert below.carry_hours == 0.0


def test_the_smoother_reaches_63_percent_after_one_time_constant():
    smoother = Smoother(tau_s=120.0)
    smoother.update(0.0, 0.0)
    assert smoother.update(120.0, 100.0) == pytest.approx(100.0 * (1 - math.exp(-1)))


def test_the_smoother_starts_at_its_first_sample():
    assert Smoother(tau_s=60.0).update(5.0, 42.0) == 42.0
