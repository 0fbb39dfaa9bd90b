"""The off-grid reserve from the night ahead: the sun at the site, the Pi's draw, the last day."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from custom_components.positive_energy_worker.reserve import (
    EMPTY_SOC,
    FULL_SOC,
    MARGIN,
    OVERCAST,
    NightReserve,
    forecast_spell_wh,
    reserve_soc,
)
from custom_components.positive_energy_worker.sun import (
    Site,
    clear_sky,
    hours_to_carry,
    next_useful_sun,
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
    # At Tromso the sun does not rise from late November to mid-January: weeks to carry.
    hours = hours_to_carry(*TROMSO, epoch(2026, 12, 21, 11, 0))
    assert hours > 24 * 20
    assert pi_reserve(TROMSO, epoch(2026, 12, 21, 11, 0)) == 100.0


OSLO = (59.91, 10.75)


def test_where_the_sun_stays_low_all_day_its_noon_is_the_days_sun():
    # Oslo on the December solstice: the sun peaks at 6.7 degrees at about 11:15 UTC. A panel
    # tilted to meet it carries the Pi then, so the battery carries a day at most, not the
    # weeks until the sun climbs past 10 degrees again (which stopped all compute from late
    # November on).
    before_noon = hours_to_carry(*OSLO, epoch(2026, 12, 21, 9, 0))
    after_noon = hours_to_carry(*OSLO, epoch(2026, 12, 21, 12, 0))
    assert before_noon == pytest.approx(2.25, abs=0.2)
    assert 22.0 < after_noon < 24.0
    # A day of the Pi's draw and its margin, not the whole pack.
    assert 30.0 < pi_reserve(OSLO, epoch(2026, 12, 21, 12, 0)) < 40.0


def test_the_night_grows_smoothly_as_the_noon_sun_sinks_under_ten_degrees():
    # On the solstice the noon sun stands at 10 degrees at 56.56 N: just south of it the useful
    # sun is a sliver around noon, just north of it noon alone; the battery's night barely moves.
    t = epoch(2026, 12, 21, 13, 0)
    south, north = hours_to_carry(56.4, 0.0, t), hours_to_carry(56.7, 0.0, t)
    assert south < north < south + 0.5


def test_the_next_useful_sun_is_known_before_it_comes_and_not_while_it_is_up():
    # Greensboro on January 1st: the sun passes 10 degrees at about 9 am local (14:00 UTC).
    rise = next_useful_sun(*GREENSBORO, epoch(2026, 1, 1, 10, 0))
    assert rise is not None
    assert rise == pytest.approx(epoch(2026, 1, 1, 14, 0), abs=30 * 60)
    assert hours_to_carry(*GREENSBORO, epoch(2026, 1, 1, 10, 0)) == pytest.approx(
        (rise - epoch(2026, 1, 1, 10, 0)) / 3600.0
    )
    assert next_useful_sun(*GREENSBORO, epoch(2026, 1, 1, 17, 0)) is None  # noon
    # Oslo on the solstice: the low sun's noon, at about 11:15 UTC.
    oslo = next_useful_sun(*OSLO, epoch(2026, 12, 21, 9, 0))
    assert oslo == pytest.approx(epoch(2026, 12, 21, 11, 15), abs=15 * 60)


def test_before_the_sun_a_pack_under_the_reserve_it_will_set_is_claimed_when_it_comes():
    reserve = seasoned()
    dawn = epoch(2026, 1, 1, 12, 0)  # 7 am local: the useful sun two hours off
    now = reserve.update(dawn, 0.0, 2.7, 0.0, 60.0)
    assert reserve.coming_soc is not None
    assert reserve.coming_soc > now  # the coming night is longer than the hours to the sun
    below = (now + reserve.coming_soc) / 2.0
    hours = reserve.claimed_in_h(dawn, below)
    assert hours == pytest.approx(hours_to_carry(*GREENSBORO, dawn))
    assert reserve.claimed_in_h(dawn, reserve.coming_soc + 1.0) is None
    # While the sun is up the reserve is the night's already: nothing to claim later.
    noon = epoch(2026, 1, 1, 17, 0)
    reserve.update(noon, 40.0, 2.7, 0.0, 60.0)
    assert reserve.coming_at is None
    assert reserve.claimed_in_h(noon, 0.0) is None


def pi_reserve(site: tuple[float, float], t: float, dull_spell_wh: float = 0.0) -> float:
    """The reserve of the benchmark's Pi (2.7 W, 256 Wh) at ``site``."""
    return reserve_soc(
        latitude=site[0],
        longitude=site[1],
        t=t,
        idle_w=2.7,
        capacity_wh=256.0,
        dull_spell_wh=dull_spell_wh,
    )


def greensboro_reserve(t: float, dull_spell_wh: float) -> float:
    return pi_reserve(GREENSBORO, t, dull_spell_wh)


def test_the_reserve_is_the_nights_need_and_a_dull_spells_deficit_with_a_margin():
    t = epoch(2026, 1, 1, 5, 0)
    # No dull spell: the night alone.
    covered = greensboro_reserve(t, dull_spell_wh=0.0)
    hours = hours_to_carry(*GREENSBORO, t)
    assert covered == pytest.approx(EMPTY_SOC + 100 * 2.7 * hours * (1 + MARGIN) / 256.0)
    # A spell that left a whole day's draw uncovered: that much more.
    dark = greensboro_reserve(t, dull_spell_wh=2.7 * 24)
    assert dark == pytest.approx(covered + 100 * 2.7 * 24 * (1 + MARGIN) / 256.0)
    half = greensboro_reserve(t, dull_spell_wh=2.7 * 12)
    assert half == pytest.approx((covered + dark) / 2)


def feed(
    reserve: NightReserve,
    start: float,
    peaks: list[float],
    pack: float | None = None,
    draw: tuple[float, float] = (2.7, 0.0),
) -> float:
    """A day of sun shaped like the clear sky at each of ``peaks`` (W), one after the other,
    the pack at ``pack`` % throughout, the Pi drawing ``draw`` (load, worker; W); returns the
    reserve at the end."""
    soc = 0.0
    for day, peak in enumerate(peaks):
        for minute in range(1440):
            t = start + 86400.0 * day + 60.0 * minute
            panel = peak * clear_sky(reserve.site.latitude, reserve.site.longitude, t)
            soc = reserve.update(t, panel, *draw, pack)
    return soc


def seasoned(capacity_wh: float = 100.0, draw: tuple[float, float] = (2.7, 0.0)) -> NightReserve:
    """A reserve that has seen the two bright winter days before January 1st with its pack full:
    one that lends, so what it keeps is the night's need (a fresh one lends nothing)."""
    reserve = NightReserve(SITE, capacity_wh=capacity_wh)
    feed(reserve, epoch(2025, 12, 30, 0, 0), [80.0, 80.0], pack=100.0, draw=draw)
    return reserve


def test_a_dull_day_in_the_last_month_keeps_the_reserve_up():
    start = epoch(2026, 4, 1, 0, 0)
    bright = NightReserve(SITE, capacity_wh=256.0)
    bright_soc = feed(bright, start, [80.0] * 5)
    dull = NightReserve(SITE, capacity_wh=256.0)
    dull_soc = feed(dull, start, [80.0, 80.0, 3.0, 80.0, 80.0])
    assert bright.harvest.dull_spell_wh(2.7 * 24) == 0.0  # a clear April day carries the Pi
    assert dull.harvest.dull_spell_wh(2.7 * 24) > 2.7 * 24 / 2
    assert dull_soc > bright_soc + 10.0
    # Three weeks later it still counts: a season brings its spells back.
    assert feed(dull, start + 5 * 86400.0, [80.0] * 21) > bright_soc + 10.0
    # A month later it is forgotten.
    assert feed(dull, start + 26 * 86400.0, [80.0] * 9) == pytest.approx(bright_soc, abs=1.0)


def test_a_fresh_reserve_lends_nothing_until_a_whole_day_shows_what_the_panel_gives_back():
    fresh = NightReserve(SITE, capacity_wh=256.0)
    assert fresh.harvest.dull_spell_wh(2.7 * 24) == 2.7 * 24  # the spell: a day giving nothing
    noon = epoch(2026, 4, 1, 17, 0)
    # The sun fills the pack first; a full pack computes on what its controller would curtail.
    assert fresh.update(noon, 40.0, 2.7, 0.0) == FULL_SOC
    # The first whole day seen (a bright one, the pack full all along): the pack is lent again.
    seen = NightReserve(SITE, capacity_wh=256.0)
    after = feed(seen, epoch(2026, 4, 1, 0, 0), [80.0, 80.0], pack=100.0)
    assert seen.harvest.refill_wh(2.7 * 24, 256.0) == 256.0
    end = epoch(2026, 4, 3, 0, 0) - 60.0
    assert after == pytest.approx(greensboro_reserve(end, seen.harvest.dull_spell_wh(2.7 * 24)))
    assert after < 60.0


def test_a_partial_first_days_full_mark_does_not_pass_to_the_first_whole_day():
    start = epoch(2026, 4, 1, 12, 0)  # installed at noon UTC: the first day is half a day
    reserve = NightReserve(SITE, capacity_wh=256.0)
    for minute in range(12 * 60):  # the pack full all afternoon of the partial day
        t = start + 60.0 * minute
        reserve.update(t, 12.0 * clear_sky(*GREENSBORO, t), 2.7, 0.0, 100.0)
    # The first whole day, never full (closed by the next day's first minute).
    feed(reserve, epoch(2026, 4, 2, 0, 0), [12.0, 12.0], pack=50.0)
    assert reserve.harvest.full == [False]


def test_a_bright_fortnight_still_keeps_an_overcast_days_deficit():
    # A panel whose brightest day barely carries the Pi: an overcast day leaves most uncovered.
    small = NightReserve(SITE, capacity_wh=256.0)
    feed(small, epoch(2026, 4, 1, 0, 0), [12.0] * 5)
    brightest = max(small.harvest.days) * sum(small.harvest.clear)
    assert brightest > 2.7 * 24  # every day carried the Pi: no deficit seen
    need = 2.7 * 24
    assert small.harvest.dull_spell_wh(need) == pytest.approx(need - OVERCAST * brightest)


def test_the_users_floor_holds():
    reserve = NightReserve(SITE, capacity_wh=10_000.0, floor_soc=60.0)
    assert feed(reserve, epoch(2026, 6, 20, 0, 0), [80.0, 80.0], pack=100.0) == 60.0


def test_the_nights_need_is_the_pis_draw_without_the_worker_even_between_tasks():
    night = epoch(2026, 1, 1, 5, 0)
    reserve = seasoned()
    off = reserve.update(night, 0.0, 2.7, 0.0)  # worker off: the Pi draws 2.7 W
    # The worker up between tasks: the load is 3.0 W, far under the Pi plus a busy worker.
    between = reserve.update(night + 60.0, 0.0, 3.0, 3.7)
    assert between == pytest.approx(off, abs=0.1)
    assert between > 30.0


def test_the_nights_need_is_read_in_the_dark_not_through_the_controllers_losses():
    night, noon = epoch(2026, 1, 1, 5, 0), epoch(2026, 1, 1, 17, 0)
    reserve, truth = seasoned(), seasoned()
    for seen in (reserve, truth):
        seen.update(night, 0.0, 2.7, 0.0)  # the battery alone: what the Pi draws
    # At noon panel less battery is the Pi's 2.7 W and the controller's 1.5 W of losses.
    at_noon = reserve.update(noon, 30.0, 4.2, 0.0)
    assert reserve.harvest.idle_w == 2.7
    # The reserve for the coming night is the one a lossless reading would give.
    assert at_noon == pytest.approx(truth.update(noon, 30.0, 2.7, 0.0))
    assert at_noon < seasoned(draw=(4.2, 0.0)).update(noon, 30.0, 4.2, 0.0) - 10.0


def test_a_pi_never_seen_without_its_worker_counts_its_whole_draw():
    night = epoch(2026, 1, 1, 5, 0)
    always_on = seasoned(draw=(6.4, 3.7))
    assert always_on.harvest.idle_w is None
    busy = always_on.update(night, 0.0, 6.4, 3.7)
    assert busy > seasoned().update(night, 0.0, 2.7, 0.0) + 10.0


def test_dull_days_in_a_row_count_together_and_a_bright_day_pays_them_back():
    start = epoch(2026, 4, 1, 0, 0)
    one = NightReserve(SITE, capacity_wh=256.0)
    feed(one, start, [80.0, 3.0, 80.0, 80.0])
    spell = NightReserve(SITE, capacity_wh=256.0)
    feed(spell, start, [80.0, 3.0, 3.0, 3.0, 80.0])
    need = 2.7 * 24
    one_day = one.harvest.dull_spell_wh(need)
    three_days = spell.harvest.dull_spell_wh(need)
    assert three_days == pytest.approx(3 * one_day, rel=0.1)
    # Two dull spells parted by bright days: the worse one, not their sum.
    parted = NightReserve(SITE, capacity_wh=256.0)
    feed(parted, start, [3.0, 80.0, 80.0, 3.0, 3.0, 80.0])
    assert parted.harvest.dull_spell_wh(need) == pytest.approx(2 * one_day, rel=0.1)


def test_where_no_recent_day_carries_the_pi_nothing_is_spare():
    winter = NightReserve(SITE, capacity_wh=256.0)
    assert feed(winter, epoch(2026, 12, 1, 0, 0), [8.0] * 10) == 100.0


def test_compute_borrows_only_what_an_average_day_gives_back():
    # Days that carry the Pi with a little to spare: no deficit, no spell, but a pack drained
    # for compute would take many such days to refill.
    thin = NightReserve(SITE, capacity_wh=256.0)
    end = epoch(2026, 4, 6, 0, 0) - 60.0  # the last minute fed: near the next useful sun
    reserve = feed(thin, epoch(2026, 4, 1, 0, 0), [12.0] * 5)
    back = thin.harvest.refill_wh(2.7 * 24, 256.0)
    assert back is not None
    assert 0.0 < back < 256.0 / 4
    assert thin.harvest.dull_spell_wh(2.7 * 24) < 2.7 * 24  # the spell alone would lend more
    assert reserve == pytest.approx(100.0 * (1.0 - back / (1.0 + MARGIN) / 256.0))
    assert reserve > greensboro_reserve(end, thin.harvest.dull_spell_wh(2.7 * 24)) + 10.0
    # The same days with the pack full: each gave back all the pack holds (the controller
    # curtailed the rest, unseen), so the reserve is the night's and the spell's again.
    full = NightReserve(SITE, capacity_wh=256.0)
    topped = feed(full, epoch(2026, 4, 1, 0, 0), [12.0] * 5, pack=100.0)
    assert full.harvest.refill_wh(2.7 * 24, 256.0) == 256.0
    assert topped == pytest.approx(greensboro_reserve(end, full.harvest.dull_spell_wh(2.7 * 24)))


def test_a_dull_tomorrow_in_the_forecast_keeps_its_shortfall_on_top_of_the_spell():
    afternoon = epoch(2026, 1, 1, 20, 0)  # 3 pm in Greensboro
    need = 2.7 * 24
    without = seasoned(256.0).update(afternoon, 0.0, 2.7, 0.0)
    bright = seasoned(256.0).update(afternoon, 0.0, 2.7, 0.0, days_ahead_wh=[500.0])
    dull = seasoned(256.0).update(afternoon, 0.0, 2.7, 0.0, days_ahead_wh=[5.0])
    assert bright == pytest.approx(without)  # a day that carries the Pi adds nothing
    assert dull == pytest.approx(without + 100.0 * (need - 5.0) * (1.0 + MARGIN) / 256.0)


def test_a_forecast_read_near_midnight_is_not_taken_for_the_wrong_day():
    # 11:20 pm solar time: "tomorrow" may already mean the day after the coming sun's.
    late = epoch(2026, 1, 2, 4, 40)
    reserve, plain = seasoned(256.0), seasoned(256.0)
    assert reserve.update(late, 0.0, 2.7, 0.0, days_ahead_wh=[5.0]) == pytest.approx(
        plain.update(late, 0.0, 2.7, 0.0)
    )
    assert reserve.ahead.day is None


def test_dull_days_ahead_add_up_a_bright_one_pays_them_back_and_the_months_worst_follows():
    need, worst = 65.0, 10.0
    assert forecast_spell_wh([], need, worst) == worst  # no forecast: the month's worst
    assert forecast_spell_wh([200.0, 5.0], need, worst) == pytest.approx(60.0 + worst)
    assert forecast_spell_wh([5.0, 5.0], need, worst) == pytest.approx(120.0 + worst)
    # The dull day paid back by a bright one after it: the dull day's deficit was the most.
    assert forecast_spell_wh([5.0, 200.0], need, worst) == pytest.approx(60.0)


def run_days(reserve: NightReserve, start: float, peak: float, full_from: int, full_to: int):
    """Two days of sun shaped like the clear sky at ``peak`` (W); the pack full from UTC hour
    ``full_from`` to ``full_to`` each day (the panel then gives only what the Pi takes)."""
    for minute in range(2 * 1440):
        t = start + 60.0 * minute
        full = full_from <= (minute // 60) % 24 < full_to
        panel = peak * clear_sky(*GREENSBORO, t)
        reserve.update(t, min(panel, 2.7) if full else panel, 2.7, 0.0, 100.0 if full else 60.0)


def test_a_day_full_for_an_hour_at_dusk_gave_back_what_its_panel_gave_not_the_whole_pack():
    reserve = NightReserve(SITE, capacity_wh=256.0)
    # A dull day that barely carries the Pi, the pack topped up in its last light.
    run_days(reserve, epoch(2026, 1, 5, 0, 0), 7.0, 21, 22)
    assert reserve.harvest.full[-1]
    back = reserve.harvest.refill_wh(2.7 * 24, 256.0)
    assert back is not None
    assert back < 0.25 * 256.0


def test_a_day_full_from_noon_gave_back_what_its_morning_shows_the_panel_could_give():
    clipped = NightReserve(SITE, capacity_wh=1000.0)
    run_days(clipped, epoch(2026, 4, 5, 0, 0), 40.0, 17, 21)  # full from local noon to 4 pm
    free = NightReserve(SITE, capacity_wh=1000.0)
    feed(free, epoch(2026, 4, 5, 0, 0), [40.0, 40.0], pack=60.0)  # never full: all seen
    assert clipped.harvest.days[-1] < 0.7 * free.harvest.days[-1]  # the harvest, clipped
    clipped_back = clipped.harvest.refill_wh(2.7 * 24, 1000.0)
    free_back = free.harvest.refill_wh(2.7 * 24, 1000.0)
    assert free_back is not None
    assert clipped_back == pytest.approx(free_back, rel=0.15)
