"""The sun at the site: the clear-sky persistence the grid-tied forecast gate carries forward."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from custom_components.positive_energy_worker.sun import Site, clear_sky, persisted_w

GREENSBORO = Site(36.1, -79.95)  # UTC-4 in summer


def epoch(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()


def test_at_noon_the_next_twenty_minutes_look_like_now():
    noon = epoch(2026, 6, 21, 17, 20)  # solar noon
    assert persisted_w(GREENSBORO, noon, 3000.0, 1 / 3) == pytest.approx(3000.0, rel=0.02)


def test_in_the_evening_it_sees_the_production_fall():
    evening = epoch(2026, 6, 21, 23, 30)  # 19:30 local, an hour and a half before sunset
    ahead = persisted_w(GREENSBORO, evening, 800.0, 1.0)
    assert ahead < 0.6 * 800.0
    # and nothing after sunset
    assert persisted_w(GREENSBORO, epoch(2026, 6, 22, 1, 30), 5.0, 1.0) == 0.0


def test_the_morning_rises_with_the_sun():
    morning = epoch(2026, 6, 21, 11, 0)  # 07:00 local
    assert persisted_w(GREENSBORO, morning, 500.0, 1.0) > 500.0


def test_a_cloud_now_is_carried_forward_as_a_share_of_the_clear_sky():
    noon = epoch(2026, 6, 21, 17, 20)
    clear, clouded = (persisted_w(GREENSBORO, noon, w, 0.5) for w in (4000.0, 1000.0))
    assert clouded == pytest.approx(clear / 4)


def test_the_sun_below_the_floor_does_not_blow_the_index_up():
    dawn = epoch(2026, 6, 21, 10, 20)  # the sun a degree up: 1 % of a clear noon
    assert clear_sky(GREENSBORO.latitude, GREENSBORO.longitude, dawn) < 0.05
    # 10 W at dawn against a 1 % clear sky would read as a bright morning (about 35 W in the
    # next twenty minutes); against the floor it stays a trickle.
    assert persisted_w(GREENSBORO, dawn, 10.0, 1 / 3) < 10.0
