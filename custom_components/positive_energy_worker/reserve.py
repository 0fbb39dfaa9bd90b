"""The off-grid reserve from physics: the energy the Pi needs until its panel carries it again.

A fixed reserve SoC is too much in June and too little in a dull December week. Here the reserve
is the Pi's draw without compute times the hours until the next *useful sun* (the sun at least
``USEFUL_ELEVATION`` above the horizon at the site: below it a panel gives too little to carry
anything), counted from sunset while the sun is up (the battery must hold the whole coming
night); plus what a dull day would leave uncovered: a day's draw less what the panel gave, per
unit of clear sky, on the dullest day of the last two weeks (the weather that came lately can
come tomorrow); plus a margin. Pure Python: the integration and the benchmark run this module.

The harvest memory keeps the last 24 hours' panel energy and the clear-sky model's over the same
hours (hourly buckets), and each day's ratio of the two for two weeks, so the panel's size and
orientation need not be known. Before a whole day is seen there is no dull day to go by: the
reserve is then the night's need, and at least ``FRESH_RESERVE_SOC``, so a fresh install neither
drains its battery on a guess nor sits idle at a full pack (assuming a day that gives nothing
would put the reserve near 100 % on a small pack). A battery that was full understates what its
panel could give (the controller curtailed): the reserve errs high, the safe side.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Final

USEFUL_ELEVATION: Final = 10.0  # degrees: below it a fixed panel yields a few % of its rating
EMPTY_SOC: Final = 5.0  # % the pack keeps under load before its cut-off (voltage sag)
MARGIN: Final = 0.2  # on the energy need: a colder night, an older battery
DAY_S: Final = 86400.0
HOUR_S: Final = 3600.0
DULL_DAYS: Final = 14  # the days a dull one is remembered: about a weather regime
FRESH_RESERVE_SOC: Final = 50.0  # % kept until a whole day of the panel has been seen


def _declination_and_eot(t: float) -> tuple[float, float]:
    """The sun's declination (rad) and the equation of time (minutes) at epoch ``t`` (NOAA)."""
    day = t / DAY_S  # days since 1970-01-01
    gamma = 2.0 * math.pi * ((day % 365.2422) / 365.2422)  # fractional year, near enough
    # 1970-01-01 is day 0 of a year: the NOAA formulas' gamma starts there too.
    eot = 229.18 * (
        0.000075
        + 0.001868 * math.cos(gamma)
        - 0.032077 * math.sin(gamma)
        - 0.014615 * math.cos(2 * gamma)
        - 0.040849 * math.sin(2 * gamma)
    )
    decl = (
        0.006918
        - 0.399912 * math.cos(gamma)
        + 0.070257 * math.sin(gamma)
        - 0.006758 * math.cos(2 * gamma)
        + 0.000907 * math.sin(2 * gamma)
        - 0.002697 * math.cos(3 * gamma)
        + 0.00148 * math.sin(3 * gamma)
    )
    return decl, eot


def solar_elevation(latitude: float, longitude: float, t: float) -> float:
    """The sun's elevation (degrees) at epoch ``t``."""
    decl, eot = _declination_and_eot(t)
    minutes = (t % DAY_S) / 60.0 + eot + 4.0 * longitude  # true solar time
    hour_angle = math.radians(minutes / 4.0 - 180.0)
    lat = math.radians(latitude)
    sin_el = math.sin(lat) * math.sin(decl) + math.cos(lat) * math.cos(decl) * math.cos(hour_angle)
    return math.degrees(math.asin(max(-1.0, min(1.0, sin_el))))


def useful_window(latitude: float, longitude: float, day: int) -> tuple[float, float] | None:
    """The epoch span of UTC day ``day`` (days since the epoch) around its solar noon in which the
    sun stands above ``USEFUL_ELEVATION``; None when it never does (a polar winter)."""
    decl, eot = _declination_and_eot(day * DAY_S + DAY_S / 2.0)
    noon = day * DAY_S + (720.0 - 4.0 * longitude - eot) * 60.0
    lat = math.radians(latitude)
    cos_h = (math.sin(math.radians(USEFUL_ELEVATION)) - math.sin(lat) * math.sin(decl)) / (
        math.cos(lat) * math.cos(decl)
    )
    if cos_h >= 1.0:
        return None
    half = DAY_S / 2.0 if cos_h <= -1.0 else math.degrees(math.acos(cos_h)) / 15.0 * HOUR_S
    return noon - half, noon + half


def hours_to_carry(latitude: float, longitude: float, t: float, horizon_days: int = 60) -> float:
    """Hours the battery must carry the Pi from ``t``: to the next useful sun, or, while the sun
    is up, from the coming sunset to the next useful sun after it."""
    first = int(t // DAY_S) - 1
    sunset: float | None = None  # set once ``t`` is found inside a window
    for day in range(first, first + horizon_days):
        window = useful_window(latitude, longitude, day)
        if window is None:
            continue
        rise, end = window
        if sunset is not None:
            if rise > sunset:
                return (rise - sunset) / HOUR_S
            sunset = max(sunset, end)  # a midnight sun: the windows touch
        elif t < rise:
            return (rise - t) / HOUR_S
        elif t <= end:
            sunset = end
    return horizon_days * 24.0


def clear_sky(latitude: float, longitude: float, t: float) -> float:
    """Relative clear-sky irradiance at ``t`` (Haurwitz's model over 1000 W/m²)."""
    sin_el = math.sin(math.radians(solar_elevation(latitude, longitude, t)))
    if sin_el <= 0.0:
        return 0.0
    return 1.098 * sin_el * math.exp(-0.057 / sin_el)


@dataclass
class Harvest:
    """The panel's energy and the clear sky's, per hour over the last day, and how the days of
    the last two weeks compared with the clear sky."""

    hour: int | None = None  # the hour (since the epoch) being filled
    energy_wh: list[float] = field(default_factory=list)  # the last 24 complete hours
    clear: list[float] = field(default_factory=list)  # clear-sky hours over the same hours
    now_wh: float = 0.0
    now_clear: float = 0.0
    days: list[float] = field(default_factory=list)  # Wh per clear-sky hour, a day each
    last: float | None = None
    # The Pi's draw without the worker, as last read while the worker was off: a worker that is
    # up but between tasks draws far less than its busy power, so "load less the worker's power"
    # would read a Pi that needs nothing through the night.
    idle_w: float | None = None

    def add(self, latitude: float, longitude: float, t: float, panel_w: float) -> None:
        """Book the panel's power ``panel_w`` since the previous call."""
        dt = 0.0 if self.last is None else min(max(0.0, t - self.last), HOUR_S)
        self.last = t
        hour = int(t // HOUR_S)
        if self.hour is not None and hour != self.hour:
            self._close()
        self.hour = hour
        self.now_wh += max(0.0, panel_w) * dt / HOUR_S
        self.now_clear += clear_sky(latitude, longitude, t) * dt / HOUR_S

    def _close(self) -> None:
        self.energy_wh = [*self.energy_wh, self.now_wh][-24:]
        self.clear = [*self.clear, self.now_clear][-24:]
        self.now_wh = self.now_clear = 0.0
        if self.hour is not None and (self.hour + 1) % 24 == 0 and len(self.clear) == 24:
            clear = sum(self.clear)
            if clear > 0:
                self.days = [*self.days, sum(self.energy_wh) / clear][-DULL_DAYS:]

    def dull_day_wh(self) -> float | None:
        """What the panel harvests on a day as dull as the dullest of the last two weeks, under
        the clear sky of the last 24 hours; None before a whole day is seen."""
        if not self.days or len(self.clear) < 24:
            return None
        return min(self.days) * sum(self.clear)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Harvest:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def reserve_soc(
    *,
    latitude: float,
    longitude: float,
    t: float,
    idle_w: float,
    capacity_wh: float,
    dull_day_wh: float | None,
) -> float:
    """The SoC (%) below which compute must not take the battery: the night's need, and what a
    dull day would leave uncovered after it (None: not known yet, left out), with a margin,
    above the pack's empty level."""
    idle = max(0.0, idle_w)
    night_wh = idle * hours_to_carry(latitude, longitude, t)
    dull_deficit_wh = 0.0 if dull_day_wh is None else max(0.0, idle * 24.0 - dull_day_wh)
    need_wh = (night_wh + dull_deficit_wh) * (1.0 + MARGIN)
    return min(100.0, EMPTY_SOC + 100.0 * need_wh / capacity_wh)


@dataclass(frozen=True)
class Site:
    """Where the panel is: Home Assistant's home location (degrees, north and east positive)."""

    latitude: float
    longitude: float


@dataclass
class NightReserve:
    """The reserve of one off-grid Pi, fed its readings in time order (the integration's
    observation assembly holds one; the benchmark's SoC rule reads another)."""

    site: Site
    capacity_wh: float
    floor_soc: float = 0.0  # the user's own minimum (the battery reserve option)
    harvest: Harvest = field(default_factory=Harvest)

    def update(self, t: float, panel_w: float, load_w: float, worker_w: float) -> float:
        """The reserve SoC (%) at ``t``; ``load_w`` is the Pi's whole draw, ``worker_w`` the
        worker's power while it is up, 0 while it is off (what the Pi draws then is what the
        night must carry)."""
        harvest, site = self.harvest, self.site
        harvest.add(site.latitude, site.longitude, t, panel_w)
        if worker_w <= 0 and load_w > 0:
            harvest.idle_w = load_w
        # Never seen without the worker: its whole draw, to be safe.
        idle_w = load_w if harvest.idle_w is None else harvest.idle_w
        dull_day_wh = harvest.dull_day_wh()
        physics = reserve_soc(
            latitude=site.latitude,
            longitude=site.longitude,
            t=t,
            idle_w=idle_w,
            capacity_wh=self.capacity_wh,
            dull_day_wh=dull_day_wh,
        )
        if dull_day_wh is None:
            physics = max(physics, FRESH_RESERVE_SOC)
        return max(self.floor_soc, physics)
