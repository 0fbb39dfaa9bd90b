"""The solar forecast of the coming days as the off-grid reserve reads it: which day a reading
speaks of, and what the panel delivers against it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from custom_components.positive_energy_worker.days_ahead import DaysAhead
from custom_components.positive_energy_worker.reserve import NightReserve
from custom_components.positive_energy_worker.sun import Site, clear_sky

GREENSBORO = (36.1, -79.95)  # solar time is UTC less 5 h 20 min
LONGITUDE = GREENSBORO[1]


def epoch(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()


def test_the_days_ahead_move_on_as_the_days_pass_until_a_new_forecast_is_read():
    ahead = DaysAhead()
    ahead.read(LONGITUDE, epoch(2026, 1, 1, 20, 0), [300.0, 5.0, 300.0])  # 3 pm
    # That night the next sun is tomorrow's; the next afternoon it is the day after's.
    assert ahead.coming(*GREENSBORO, epoch(2026, 1, 2, 8, 0)) == [300.0, 5.0, 300.0]
    assert ahead.coming(*GREENSBORO, epoch(2026, 1, 2, 20, 0)) == [5.0, 300.0]
    assert ahead.coming(*GREENSBORO, epoch(2026, 1, 5, 20, 0)) == []


def test_a_forecast_read_at_dawn_keeps_todays_from_yesterday():
    ahead = DaysAhead()
    ahead.read(LONGITUDE, epoch(2026, 1, 1, 20, 0), [5.0, 300.0])
    # 5 am on the forecast day: the entities now speak of the day after; before the sun has
    # risen today's is still the next sun's.
    dawn = epoch(2026, 1, 2, 10, 0)
    ahead.read(LONGITUDE, dawn, [250.0, 300.0])
    assert ahead.coming(*GREENSBORO, dawn) == [5.0, 250.0, 300.0]
    # Once the sun is up, the next sun is tomorrow's.
    assert ahead.coming(*GREENSBORO, epoch(2026, 1, 2, 17, 0)) == [250.0, 300.0]


def test_a_day_that_is_not_a_number_ends_the_list():
    ahead = DaysAhead()
    ahead.read(LONGITUDE, epoch(2026, 1, 1, 20, 0), [5.0, float("inf"), 300.0])
    assert ahead.wh == [5.0]
    ahead.read(LONGITUDE, epoch(2026, 1, 1, 21, 0), [float("nan")])
    assert ahead.wh == [5.0]  # nothing read: the last reading stands
    json.dumps(ahead.to_dict(), allow_nan=False)


def test_a_reading_near_midnight_is_not_taken_for_the_wrong_day():
    ahead = DaysAhead()
    ahead.read(LONGITUDE, epoch(2026, 1, 2, 4, 40), [5.0])  # 11:20 pm solar time
    assert ahead.day is None


def clear_day_wh(peak: float, day: float) -> float:
    """A clear-sky-shaped panel's energy over the solar day starting at ``day`` (Wh)."""
    return sum(peak * clear_sky(*GREENSBORO, day + 60.0 * m) for m in range(1440)) / 60.0


FORECAST_W = 100.0  # the panel the forecast entity was set up for, at its maximum power point


def deliver(ahead: DaysAhead, start: float, days: int, peak: float, full: bool = False) -> None:
    """``days`` days of a clear-sky-shaped panel delivering at ``peak`` W, its forecast entity
    read each hour: tomorrow as the 100 W panel at its maximum power point would give."""
    forecast = clear_day_wh(FORECAST_W, start)
    for minute in range(days * 1440):
        t = start + 60.0 * minute
        if minute % 60 == 0:
            ahead.read(LONGITUDE, t, [forecast])
        ahead.book(LONGITUDE, t, peak * clear_sky(*GREENSBORO, t) / 60.0, full)  # Wh a minute


def test_the_forecast_is_scaled_to_what_the_panel_delivers():
    # The forecast is of a 100 W panel at its maximum power point; a PWM controller delivers 70.
    ahead = DaysAhead()
    assert ahead.scale() == 1.0
    deliver(ahead, epoch(2026, 4, 1, 5, 20), 6, 70.0)  # from solar midnight
    assert len(ahead.pairs) >= 3
    assert ahead.scale() == pytest.approx(0.7, rel=0.05)
    coming = ahead.coming(*GREENSBORO, epoch(2026, 4, 6, 20, 0))
    assert coming == pytest.approx([0.7 * ahead.wh[-1]], rel=0.05)


def test_days_the_pack_was_full_and_a_day_joined_part_way_do_not_count():
    full = DaysAhead()
    deliver(full, epoch(2026, 4, 1, 5, 20), 5, 70.0, full=True)  # curtailed: unseen
    assert full.pairs == []
    assert full.scale() == 1.0
    late = DaysAhead()
    deliver(late, epoch(2026, 4, 1, 17, 0), 2, 70.0)  # installed at noon
    assert len(late.pairs) == 1  # the first, half day is not one


def test_the_reserve_keeps_its_days_ahead_through_a_restart():
    site = Site(*GREENSBORO)
    reserve = NightReserve(site, capacity_wh=256.0)
    reserve.update(epoch(2026, 1, 1, 20, 0), 0.0, 2.7, 0.0, days_ahead_wh=[5.0])
    saved = reserve.ahead.to_dict()
    again = DaysAhead.from_dict({**saved, "from_a_later_version": 1})
    assert again == reserve.ahead
    assert DaysAhead.from_dict({}) == DaysAhead()
