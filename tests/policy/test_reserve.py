"""The off-grid reserve from the night ahead: the sun at the site, the Pi's draw, the last day."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from custom_components.positive_energy_worker.reserve import (
    EMPTY_SOC,
    MARGIN,
    NightReserve,
    clear_sky,
    hours_to_carry,
    reserve_soc,
    solar_elevation,
)

GREENSBORO = (36.1, -79.95)  # UTC-5 in winter
TROMSO = (69.65, 18.96)


def epoch(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()


def test_the_sun_is_where_the_almanac_puts_it():
    # Greensboro, local solar noon on the June solstice: 90 - 36.1 + 23.44 = 77.3 degrees.
    noon = epoch(2026, 6, 21, 17, 20)
    assert solar_elevation(*GREENSBORO, noon) == pytest.approx(77.3, abs=0.5)
    assert solar_elevation(*GREENSBORO, epoch(2026, 6, 21, 5, 0)) < 0  # 1 am local


def test_at_midnight_the_battery_carries_the_pi_to_the_morning_sun():
    # Midnight local on January 1st: the sun is 10 degrees up at about 8:40.
    assert hours_to_carry(*GREENSBORO, epoch(2026, 1, 1, 5, 0)) == pytest.approx(8.6, abs=0.3)


def test_in_the_afternoon_the_whole_coming_night_counts():
    afternoon = hours_to_carry(*GREENSBORO, epoch(2026, 1, 1, 19, 0))  # 2 pm
    evening = hours_to_carry(*GREENSBORO, epoch(2026, 1, 1, 23, 0))  # 6 pm
    assert afternoon == pytest.approx(16.4, abs=0.3)
    assert evening < afternoon


def test_a_polar_winter_never_lets_the_battery_go():
    hours = hours_to_carry(*TROMSO, epoch(2026, 12, 21, 11, 0))
    assert hours > 24 * 30
    need = reserve_soc(
        latitude=TROMSO[0],
        longitude=TROMSO[1],
        t=epoch(2026, 12, 21, 11, 0),
        idle_w=2.7,
        capacity_wh=256.0,
        dullness=0.0,
    )
    assert need == 100.0


def greensboro_reserve(t: float, dullness: float) -> float:
    """The reserve of the benchmark's Pi (2.7 W, 256 Wh) in Greensboro."""
    return reserve_soc(
        latitude=GREENSBORO[0],
        longitude=GREENSBORO[1],
        t=t,
        idle_w=2.7,
        capacity_wh=256.0,
        dullness=dullness,
    )


def test_the_reserve_is_the_nights_need_with_a_margin():
    t = epoch(2026, 1, 1, 5, 0)
    clear = greensboro_reserve(t, dullness=0.0)
    hours = hours_to_carry(*GREENSBORO, t)
    assert clear == pytest.approx(EMPTY_SOC + 100 * 2.7 * hours * (1 + MARGIN) / 256.0)
    dull = greensboro_reserve(t, dullness=1.0)
    assert dull == pytest.approx(clear + 100 * 2.7 * 24 * (1 + MARGIN) / 256.0)


def feed(reserve: NightReserve, start: float, days: int, peak_w: float) -> float:
    """A day of sun shaped like the clear sky at ``peak_w``; returns the reserve at the end."""
    soc = 0.0
    for minute in range(days * 1440):
        t = start + 60.0 * minute
        panel = peak_w * clear_sky(reserve.latitude, reserve.longitude, t)
        soc = reserve.update(t, panel, 2.7, 0.0)
    return soc


def test_a_dull_day_after_bright_ones_raises_the_reserve():
    start = epoch(2026, 4, 1, 5, 0)
    bright = NightReserve(*GREENSBORO, capacity_wh=256.0)
    bright_soc = feed(bright, start, 3, 80.0)
    dull = NightReserve(*GREENSBORO, capacity_wh=256.0)
    feed(dull, start, 2, 80.0)
    dull_soc = feed(dull, start + 2 * 86400.0, 1, 10.0)
    assert bright.harvest.dullness() == pytest.approx(0.0, abs=0.02)
    assert dull.harvest.dullness() == pytest.approx(1 - 10 / 80, abs=0.05)
    assert dull_soc > bright_soc + 20.0


def test_a_fresh_reserve_assumes_a_dull_day():
    fresh = NightReserve(*GREENSBORO, capacity_wh=256.0)
    assert fresh.harvest.dullness() == 1.0


def test_the_users_floor_holds():
    reserve = NightReserve(*GREENSBORO, capacity_wh=10_000.0, floor_soc=30.0)
    assert reserve.update(epoch(2026, 6, 21, 17, 0), 50.0, 2.7, 0.0) == 30.0
