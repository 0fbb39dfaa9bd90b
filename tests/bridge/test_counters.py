"""Energy counters: trapezoid integration, never backwards, no bridging of gaps."""

import pytest

from hardware_bridge.power.counters import COUNTERS, EnergyCounters


def test_constant_power_for_an_hour_is_its_watt_hours():
    counters = EnergyCounters()
    for second in range(0, 3601, 10):
        counters.add_sample("solar_harvested", second, 36.0)
    assert counters.totals["solar_harvested"] == pytest.approx(36.0)


def test_a_ramp_is_integrated_with_the_trapezoid_rule():
    counters = EnergyCounters()
    counters.add_sample("consumed", 0, 0.0)
    counters.add_sample("consumed", 60, 10.0)
    assert counters.totals["consumed"] == pytest.approx(5.0 * 60 / 3600)


def test_negative_power_adds_nothing():
    counters = EnergyCounters()
    counters.add_sample("battery_charged", 0, -5.0)
    counters.add_sample("battery_charged", 3600, -5.0)
    assert counters.totals["battery_charged"] == 0.0


def test_a_gap_longer_than_the_limit_is_not_bridged():
    counters = EnergyCounters(max_gap=60)
    counters.add_sample("solar_harvested", 0, 100.0)
    counters.add_sample("solar_harvested", 3600, 100.0)
    assert counters.totals["solar_harvested"] == 0.0


def test_forget_breaks_the_line_after_a_failed_read():
    counters = EnergyCounters()
    counters.add_sample("solar_harvested", 0, 100.0)
    counters.forget("solar_harvested")
    counters.add_sample("solar_harvested", 10, 100.0)
    assert counters.totals["solar_harvested"] == 0.0


def test_time_going_backwards_adds_nothing():
    counters = EnergyCounters()
    counters.add_sample("consumed", 100, 10.0)
    counters.add_sample("consumed", 50, 10.0)
    assert counters.totals["consumed"] == 0.0


def test_restore_takes_the_saved_totals():
    counters = EnergyCounters.restore({"solar_harvested": 12.5})
    assert counters.totals == {**dict.fromkeys(COUNTERS, 0.0), "solar_harvested": 12.5}
