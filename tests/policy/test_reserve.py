"""The off-grid reserve from the night ahead: the sun at the site, the Pi's draw, the last day."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from custom_components.positive_energy_worker.reserve import (
    EMPTY_SOC,
    FRESH_RESERVE_SOC,
    MARGIN,
    NightReserve,
    Site,
    clear_sky,
    hours_to_carry,
    reserve_soc,
    solar_elevation,
)

GREENSBORO = (36.1, -79.95)  # UTC-5 in winter
SITE = Site(*GREENSBORO)
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
        dull_day_wh=1000.0,
    )
    assert need == 100.0


def greensboro_reserve(t: float, dull_day_wh: float) -> float:
    """The reserve of the benchmark's Pi (2.7 W, 256 Wh) in Greensboro."""
    return reserve_soc(
        latitude=GREENSBORO[0],
        longitude=GREENSBORO[1],
        t=t,
        idle_w=2.7,
        capacity_wh=256.0,
        dull_day_wh=dull_day_wh,
    )


def test_the_reserve_is_the_nights_need_and_a_dull_days_deficit_with_a_margin():
    t = epoch(2026, 1, 1, 5, 0)
    # A dull day that still gives a day's draw: the night alone.
    covered = greensboro_reserve(t, dull_day_wh=2.7 * 24)
    hours = hours_to_carry(*GREENSBORO, t)
    assert covered == pytest.approx(EMPTY_SOC + 100 * 2.7 * hours * (1 + MARGIN) / 256.0)
    # A dull day that gives nothing: a whole day's draw more.
    dark = greensboro_reserve(t, dull_day_wh=0.0)
    assert dark == pytest.approx(covered + 100 * 2.7 * 24 * (1 + MARGIN) / 256.0)
    half = greensboro_reserve(t, dull_day_wh=2.7 * 12)
    assert half == pytest.approx((covered + dark) / 2)


def feed(reserve: NightReserve, start: float, peaks: list[float]) -> float:
    """A day of sun shaped like the clear sky at each of ``peaks`` (W), one after the other;
    returns the reserve at the end."""
    soc = 0.0
    for day, peak in enumerate(peaks):
        for minute in range(1440):
            t = start + 86400.0 * day + 60.0 * minute
            panel = peak * clear_sky(reserve.site.latitude, reserve.site.longitude, t)
            soc = reserve.update(t, panel, 2.7, 0.0)
    return soc


def test_a_dull_day_in_the_last_two_weeks_keeps_the_reserve_up():
    start = epoch(2026, 4, 1, 0, 0)
    bright = NightReserve(SITE, capacity_wh=256.0)
    bright_soc = feed(bright, start, [80.0] * 5)
    dull = NightReserve(SITE, capacity_wh=256.0)
    dull_soc = feed(dull, start, [80.0, 80.0, 3.0, 80.0, 80.0])
    assert bright.harvest.dull_day_wh() > 2.7 * 24  # a clear April day carries the Pi
    assert dull.harvest.dull_day_wh() < 2.7 * 24 / 2
    assert dull_soc > bright_soc + 10.0
    # Two weeks later the dull day is forgotten.
    assert feed(dull, start + 5 * 86400.0, [80.0] * 14) == pytest.approx(bright_soc, abs=1.0)


def test_before_a_whole_day_is_seen_the_reserve_is_the_night_and_half_the_pack():
    noon = epoch(2026, 4, 1, 17, 0)
    # A big pack: the coming night is a few % of it, so the fresh install's half holds.
    fresh = NightReserve(SITE, capacity_wh=1000.0)
    assert fresh.harvest.dull_day_wh() is None
    assert fresh.update(noon, 40.0, 2.7, 0.0) == FRESH_RESERVE_SOC
    # A small pack whose night needs more than half: the night's need holds.
    small = NightReserve(SITE, capacity_wh=40.0)
    night_only = greensboro_reserve_of(40.0, noon)
    assert night_only > FRESH_RESERVE_SOC
    assert small.update(noon, 40.0, 2.7, 0.0) == pytest.approx(night_only)
    # After a bright whole day the physics alone: under half the pack for the big one.
    assert feed(fresh, epoch(2026, 4, 2, 0, 0), [80.0, 80.0]) < FRESH_RESERVE_SOC


def greensboro_reserve_of(capacity_wh: float, t: float) -> float:
    return reserve_soc(
        latitude=GREENSBORO[0],
        longitude=GREENSBORO[1],
        t=t,
        idle_w=2.7,
        capacity_wh=capacity_wh,
        dull_day_wh=None,
    )


def test_the_users_floor_holds():
    reserve = NightReserve(SITE, capacity_wh=10_000.0, floor_soc=60.0)
    assert reserve.update(epoch(2026, 6, 21, 17, 0), 50.0, 2.7, 0.0) == 60.0


def test_the_nights_need_is_the_pis_draw_without_the_worker_even_between_tasks():
    night = epoch(2026, 1, 1, 5, 0)
    reserve = NightReserve(SITE, capacity_wh=256.0)
    off = reserve.update(night, 0.0, 2.7, 0.0)  # worker off: the Pi draws 2.7 W
    # The worker up between tasks: the load is 3.0 W, far under the Pi plus a busy worker.
    between = reserve.update(night + 60.0, 0.0, 3.0, 3.7)
    assert between == pytest.approx(off, abs=0.1)
    assert between > 30.0


def test_a_pi_never_seen_without_its_worker_counts_its_whole_draw():
    # A pack whose night is over half of it: the fresh install's half does not hide the need.
    reserve = NightReserve(SITE, capacity_wh=60.0)
    busy = reserve.update(epoch(2026, 1, 1, 5, 0), 0.0, 6.4, 3.7)
    assert busy > NightReserve(SITE, capacity_wh=60.0).update(
        epoch(2026, 1, 1, 5, 0), 0.0, 2.7, 0.0
    )
