"""The off-grid reserve from physics: the energy the Pi needs until its panel carries it again.

A fixed reserve SoC is too much in June and too little in a dull December week. Here the reserve is
the Pi's draw without compute times the hours until the next *useful sun* (the sun at least
``sun.USEFUL_ELEVATION`` above the horizon at the site: below it a panel gives too little to carry
anything; on a day it stays lower, its noon), counted from sunset while the sun is up (the battery
must hold the whole coming night); plus what a dull spell would leave uncovered: the worst run of
consecutive days in the last month, each day's draw less what the panel gave per unit of clear sky
that day (the weather that came lately can come again, and dull days come in spells: one dull day
is not the worst a high latitude sees), and never less than what one overcast day would leave; plus
a margin. Where every recent day gave less than the Pi draws, the spell is the whole month and the
reserve the whole pack: then nothing is spare. And compute never borrows more than an average
recent day gives back beyond the Pi's draw (a day that filled the pack gave back all it holds):
where the days barely carry the Pi, a drained pack would not refill before the next spell, whatever
the last fortnight's spells were. Before a whole day is seen it borrows nothing. With forecast
entities of the panel's energy on the coming days (tomorrow's, then the day after's...;
``days_ahead.py``), the dull days they foresee come first and the month's worst spell after them.

Pure Python: the integration and the benchmark run this module.

The harvest memory keeps the last 24 hours' panel energy and the clear-sky model's over the same
hours (hourly buckets), and each day's ratio of the two for a month, so the panel's size and
orientation need not be known. Before a whole day is seen the spell is a day that gives nothing
and nothing is lent, so a fresh install does not drain its battery on a guess. A battery that was
full understates what its panel could give (the controller curtailed): the spell errs high, the
safe side; what a full day gave back is judged from the clearness of its hours the pack was not
full (taking a day the pack topped up at dusk for one that gave all it holds lent a Sand Point
January pack down before a dull week).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Final

from .days_ahead import DaysAhead
from .sun import HOUR_S, Site, clear_sky, hours_to_carry, next_useful_sun

EMPTY_SOC: Final = 5.0  # % the pack keeps under load before its cut-off (voltage sag)
MARGIN: Final = 0.2  # on the energy need: a colder night, an older battery
# The days a dull spell is remembered: a season's. A fortnight, about one weather regime, forgot
# the November spells at Sand Point that, under December's lower sun, foretold December's: a
# pack lent down in between met five dark days short (18.6 dark hours added over the year; 1.5
# with a month, the first fortnight's).
SPELL_DAYS: Final = 30
# The days that count as recent: the brightest day an overcast one is a fifth of, and the average
# day that refills what compute lent (about one weather regime).
RECENT_DAYS: Final = 14
# A day's harvest under a thick overcast, per unit of the brightest recent day's: daily
# clearness indices of overcast days are about a fifth of clear days' (Liu and Jordan 1960's
# distributions reach down to K_T 0.1-0.2). The reserve always keeps such a day's deficit: a bright
# fortnight does not promise a bright tomorrow.
OVERCAST: Final = 0.2
FULL_SOC: Final = 99.0  # % at which a pack counts as full: its controller curtails from there
# The share of a day's clear sky that must fall in hours the pack was not full for those hours'
# clearness to tell what the full hours' panel could have given; below it a full day is taken
# to have given back all the pack holds.
UNCLIPPED: Final = 0.25


@dataclass
class Harvest:
    """The panel's energy and the clear sky's, per hour over the last day, and how the days of
    the last month compared with the clear sky."""

    hour: int | None = None  # the hour (since the epoch) being filled
    energy_wh: list[float] = field(default_factory=list)  # the last 24 complete hours
    clear: list[float] = field(default_factory=list)  # clear-sky hours over the same hours
    now_wh: float = 0.0
    now_clear: float = 0.0
    days: list[float] = field(default_factory=list)  # Wh per clear-sky hour, a day each
    last: float | None = None
    # The Pi's draw without the worker, as last read in the dark while the worker was off: a
    # worker that is up but between tasks draws far less than its busy power, so "load less the
    # worker's power" would read a Pi that needs nothing through the night.
    idle_w: float | None = None
    full_now: bool = False  # the pack was full in the day being filled
    full: list[bool] = field(default_factory=list)  # the pack was full that day, a day each
    hour_full: bool = False  # the pack was full in the hour being filled
    full_hours: list[bool] = field(default_factory=list)  # over the last 24 complete hours
    # What the panel could have given each day, per clear-sky hour: its harvest, and in the
    # hours the pack was full (its controller curtailed, unseen) the day's clearness of the
    # hours it was not; None where too few hours were not full to tell, a day each.
    could: list[float | None] = field(default_factory=list)

    def add(self, latitude: float, longitude: float, t: float, panel_w: float) -> float:
        """Book the panel's power ``panel_w`` since the previous call; returns the seconds
        booked (none on the first call, at most an hour across a gap)."""
        dt = 0.0 if self.last is None else min(max(0.0, t - self.last), HOUR_S)
        self.last = t
        hour = int(t // HOUR_S)
        if self.hour is not None and hour != self.hour:
            self._close()
        self.hour = hour
        self.now_wh += max(0.0, panel_w) * dt / HOUR_S
        self.now_clear += clear_sky(latitude, longitude, t) * dt / HOUR_S
        return dt

    def _close(self) -> None:
        self.energy_wh = [*self.energy_wh, self.now_wh][-24:]
        self.clear = [*self.clear, self.now_clear][-24:]
        # A store saved before the hours were marked: its first hours unmarked.
        marks = [False] * max(0, len(self.energy_wh) - 1 - len(self.full_hours))
        self.full_hours = [*marks, *self.full_hours, self.hour_full][-len(self.energy_wh) :]
        self.now_wh = self.now_clear = 0.0
        self.hour_full = False
        if self.hour is None or (self.hour + 1) % 24:
            return
        clear = sum(self.clear)
        if len(self.clear) == 24 and clear > 0:
            self.days = [*self.days, sum(self.energy_wh) / clear][-SPELL_DAYS:]
            self.full = [*self.full, self.full_now][-SPELL_DAYS:]
            self.could = [*self.could, self._could(clear)][-SPELL_DAYS:]
        # A day's mark is its own: a first, partial day's does not pass to the first whole one.
        self.full_now = False

    def _could(self, clear: float) -> float | None:
        """The day's harvest per clear-sky hour had the pack taken all the panel gave."""
        if not len(self.energy_wh) == len(self.clear) == len(self.full_hours):
            return None  # a store written otherwise: the old rule, all the pack holds
        hours = list(zip(self.energy_wh, self.clear, self.full_hours, strict=True))
        seen_wh = sum(wh for wh, _, full in hours if not full)
        seen_clear = sum(sky for _, sky, full in hours if not full)
        if seen_clear < UNCLIPPED * clear:
            return None
        return max(sum(self.energy_wh), seen_wh * clear / seen_clear) / clear

    def _day_clear(self) -> float | None:
        """The clear sky of the last 24 hours, the scale the days are taken under; None before
        a whole day is seen."""
        if not self.days or len(self.clear) < 24:
            return None
        return sum(self.clear)

    def dull_spell_wh(self, day_need_wh: float) -> float:
        """What a dull spell would leave uncovered of ``day_need_wh`` a day: the worst run of
        consecutive days of the last month, each day's harvest taken under the clear sky of
        the last 24 hours, and at least one overcast day's deficit (a fifth of the brightest
        recent day's harvest). Before a whole day is seen: a day that gives nothing (a fresh
        install does not drain its battery on a guess)."""
        clear = self._day_clear()
        if clear is None:
            return day_need_wh
        overcast_wh = OVERCAST * max(self.days[-RECENT_DAYS:]) * clear
        # The largest sum of a run of days' deficits: a bright day (a negative deficit) pays
        # back the days before it, as the battery refills.
        worst = run = 0.0
        for ratio in self.days:
            run = max(0.0, run + day_need_wh - ratio * clear)
            worst = max(worst, run)
        return max(worst, day_need_wh - overcast_wh)

    def refill_wh(self, day_need_wh: float, capacity_wh: float) -> float | None:
        """What an average recent day gave back beyond ``day_need_wh``: what the battery can
        lend compute and have back by the next day. A day that filled the pack gave back all it
        could hold (its controller curtailed the rest, unseen). None before a whole day."""
        clear = self._day_clear()
        if clear is None:
            return None
        # A harvest saved before the days were marked has fewer marks: the first days unmarked;
        # before the hours were, a full day's panel unknown.
        full = [False] * (len(self.days) - len(self.full)) + self.full[-len(self.days) :]
        could = [None] * (len(self.days) - len(self.could)) + self.could[-len(self.days) :]
        recent = list(zip(self.days, full, could, strict=True))[-RECENT_DAYS:]
        gave: list[float] = []
        for ratio, filled, potential in recent:
            if not filled:
                gave.append(ratio * clear - day_need_wh)
            elif potential is None:  # too few hours the pack was not full to tell
                gave.append(capacity_wh)
            else:
                gave.append(potential * clear - day_need_wh)
        return sum(min(capacity_wh, wh) for wh in gave) / len(gave)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Harvest:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def forecast_spell_wh(days_wh: Sequence[float], day_need_wh: float, then_wh: float) -> float:
    """What the forecast days ``days_wh`` would leave uncovered of ``day_need_wh`` a day, a
    bright day paying back the days before it, with the worst spell of the month, ``then_wh``,
    after them (the weather past the forecast may be the worst the season held)."""
    worst = run = 0.0
    for wh in days_wh:
        run = max(0.0, run + day_need_wh - wh)
        worst = max(worst, run)
    return max(worst, run + then_wh)


def reserve_soc(
    *,
    latitude: float,
    longitude: float,
    t: float,
    idle_w: float,
    capacity_wh: float,
    dull_spell_wh: float,
) -> float:
    """The SoC (%) below which compute must not take the battery: the night's need, and what a
    dull spell would leave uncovered after it, with a margin, above the pack's empty level."""
    night_wh = max(0.0, idle_w) * hours_to_carry(latitude, longitude, t)
    need_wh = (night_wh + max(0.0, dull_spell_wh)) * (1.0 + MARGIN)
    return min(100.0, EMPTY_SOC + 100.0 * need_wh / capacity_wh)


@dataclass
class NightReserve:
    """The reserve of one off-grid Pi, fed its readings in time order (the integration's
    observation assembly holds one; the benchmark's SoC rule reads another)."""

    site: Site
    capacity_wh: float
    floor_soc: float = 0.0  # the user's own minimum (the battery reserve option)
    harvest: Harvest = field(default_factory=Harvest)
    ahead: DaysAhead = field(default_factory=DaysAhead)
    # Before the useful sun: when it comes, and the reserve then (the night after it). None
    # while the sun is up. Set by ``update``.
    coming_at: float | None = None
    coming_soc: float | None = None

    def update(
        self,
        t: float,
        panel_w: float,
        load_w: float,
        worker_w: float,
        soc: float | None = None,
        *,
        days_ahead_wh: Sequence[float] = (),
    ) -> float:
        """The reserve SoC (%) at ``t``; ``load_w`` is the Pi's whole draw, ``worker_w`` the
        worker's power while it is up, 0 while it is off (what the Pi draws then is what the
        night must carry); ``soc`` the pack's, to mark the days it was filled;
        ``days_ahead_wh`` the panel's energy forecast entities expect tomorrow and on the
        days after it, in order, if they are chosen."""
        harvest, site = self.harvest, self.site
        dt = harvest.add(site.latitude, site.longitude, t, panel_w)
        full = soc is not None and soc >= FULL_SOC
        if full:
            harvest.full_now = harvest.hour_full = True
        self.ahead.read(site.longitude, t, days_ahead_wh)
        self.ahead.book(site.longitude, t, panel_w * dt / HOUR_S, full)
        if worker_w <= 0 and load_w > 0 and (panel_w <= 0 or harvest.idle_w is None):
            # In the dark, what the battery gives is what the Pi draws; in the sun the panel's
            # share carries the controller's losses too, and would count them into the night.
            harvest.idle_w = load_w
        # Never seen without the worker: its whole draw, to be safe.
        idle_w = load_w if harvest.idle_w is None else harvest.idle_w
        day_need_wh = max(0.0, idle_w) * 24.0
        spell_wh = harvest.dull_spell_wh(day_need_wh)
        # Lend compute only what an average recent day gives back: a pack drained further than
        # that meets the next dull spell short, however short the last fortnight's spells were
        # (at Sand Point in January a bright week is followed by five dark days). Before a whole
        # day shows what the panel gives back, nothing is lent: the sun fills the pack first (a
        # fresh install at Sand Point that lent its first night met that spell dark). Lending
        # nothing keeps the pack full, not more: a full pack's controller curtails what the
        # panel gives beyond, and compute may take that (the demo's first day opens on it).
        refill_wh = harvest.refill_wh(day_need_wh, self.capacity_wh)
        lent = 0.0 if refill_wh is None else max(0.0, refill_wh) / (1.0 + MARGIN)
        lent_soc = min(FULL_SOC, 100.0 * (1.0 - lent / self.capacity_wh))
        reserve = max(self.floor_soc, lent_soc, self._physics(t, idle_w, day_need_wh, spell_wh))
        # Before the useful sun, the night after it is still to come: what the pack must hold
        # once the sun is up.
        self.coming_at = next_useful_sun(site.latitude, site.longitude, t)
        self.coming_soc = None
        if self.coming_at is not None:
            coming = self._physics(self.coming_at + 1.0, idle_w, day_need_wh, spell_wh)
            self.coming_soc = max(reserve, coming)
        return reserve

    def claimed_in_h(self, t: float, soc: float) -> float | None:
        """Hours from ``t`` until the coming useful sun, if the pack at ``soc`` is under the
        reserve it sets then: the night after it claims the pack (and stops compute) as it
        comes. None while the sun is up, or with the pack above that reserve."""
        if self.coming_at is None or self.coming_soc is None or soc >= self.coming_soc:
            return None
        return max(0.0, self.coming_at - t) / HOUR_S

    def _physics(self, t: float, idle_w: float, day_need_wh: float, spell_wh: float) -> float:
        """The night's need from ``t`` on, and the dull days the forecast and the month foresee
        after it."""
        site = self.site
        return reserve_soc(
            latitude=site.latitude,
            longitude=site.longitude,
            t=t,
            idle_w=idle_w,
            capacity_wh=self.capacity_wh,
            dull_spell_wh=forecast_spell_wh(
                self.ahead.coming(site.latitude, site.longitude, t), day_need_wh, spell_wh
            ),
        )
