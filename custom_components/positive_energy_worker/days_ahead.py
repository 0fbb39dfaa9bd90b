"""The solar forecast of the coming days, as the off-grid reserve reads it. Pure Python.

Forecast entities (forecast.solar's "energy production tomorrow", Solcast's "forecast
tomorrow", "forecast day 3"...) give the panel's energy day by day. Two things stand between them
and the battery: the day they speak of, and what the panel really delivers. "Tomorrow" is the
civil day after the reading, so readings are taken only well away from midnight, and today's
forecast, read yesterday, is kept until today's sun has come (at dawn the entities already
speak of tomorrow). And the forecast is of a panel at its maximum power point as the user
described it: a PWM controller delivers a fifth to a third less, a dirty or shaded panel less
again. So each whole solar day's delivered energy is set against the forecast it had, and the
days ahead are scaled by the recent ratio (days the pack was full are left out: its controller
curtailed, and the delivered energy understates the panel).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from itertools import takewhile
from typing import Any, Final

from .sun import DAY_S, HOUR_S, USEFUL_ELEVATION, solar_elevation

# The solar hours in which a forecast entity's "tomorrow" is taken as the next solar day's: away
# from midnight, where the civil day it means and the solar day may differ by an hour or two.
READ_HOURS: Final = (4.0, 20.0)
CALIBRATION_DAYS: Final = 14  # the recent days the forecast is set against
SCALE_RANGE: Final = (0.25, 2.0)  # a ratio outside it is a wrong entity, not a panel


def solar_day(longitude: float, t: float) -> int:
    """The day number of ``t`` in mean solar time at ``longitude`` (midnight to midnight)."""
    return int((t + 240.0 * longitude) // DAY_S)


def solar_hour(longitude: float, t: float) -> float:
    return ((t + 240.0 * longitude) % DAY_S) / HOUR_S


@dataclass
class DaysAhead:
    """The forecast days as last read, and how the panel's recent days compared with them."""

    day: int | None = None  # the solar day of ``wh[0]``
    wh: list[float] = field(default_factory=list)  # the panel's energy forecast, a day each
    booking: int | None = None  # the solar day whose delivered energy is being booked
    booked_wh: float = 0.0
    booked_full: bool = False  # the pack was full in it
    booked_whole: bool = False  # booked from its start
    pairs: list[list[float]] = field(default_factory=list)  # [forecast, delivered] Wh a day

    def read(self, longitude: float, t: float, days_wh: Sequence[float]) -> None:
        """Take the entities' energy for tomorrow and the days after, read at ``t``."""
        early, late = READ_HOURS
        if not days_wh or not early <= solar_hour(longitude, t) <= late:
            return
        # A day that is not a number ends the list (and would not survive the JSON store).
        finite = list(takewhile(math.isfinite, days_wh))
        if not finite:
            return
        today = solar_day(longitude, t)
        kept: list[float] = []
        if self.day is not None and self.day <= today:
            kept = self.wh[today - self.day : today - self.day + 1]
        self.day = today + 1 - len(kept)
        self.wh = [*kept, *(max(0.0, wh) for wh in finite)]

    def book(self, longitude: float, t: float, delivered_wh: float, full: bool) -> None:
        """Book the panel's energy delivered since the previous reading, at ``t``; ``full``
        while the pack is full."""
        today = solar_day(longitude, t)
        if self.booking != today:
            forecast = self._forecast_of(self.booking)
            if forecast and self.booked_whole and not self.booked_full:
                pair = [forecast, self.booked_wh]
                self.pairs = [*self.pairs, pair][-CALIBRATION_DAYS:]
            # A day joined part way (a fresh install, a long outage) is not a whole day's.
            self.booked_whole = self.booking == today - 1
            self.booking = today
            self.booked_wh, self.booked_full = 0.0, False
        self.booked_wh += max(0.0, delivered_wh)
        self.booked_full = self.booked_full or full

    def _forecast_of(self, day: int | None) -> float | None:
        if day is None or self.day is None or not 0 <= day - self.day < len(self.wh):
            return None
        return self.wh[day - self.day]

    def scale(self) -> float:
        """What the panel delivered, per Wh forecast, over the recent days; 1 before any."""
        forecast = sum(f for f, _ in self.pairs)
        if forecast <= 0.0:
            return 1.0
        low, high = SCALE_RANGE
        return min(high, max(low, sum(d for _, d in self.pairs) / forecast))

    def coming(self, latitude: float, longitude: float, t: float) -> list[float]:
        """The delivered energy to expect from the day whose sun comes after the night the
        battery carries next (today's before its useful sun has risen, else tomorrow's) on;
        [] where nothing was read for it."""
        if self.day is None:
            return []
        day = solar_day(longitude, t)
        if solar_hour(longitude, t) >= 12.0 or solar_elevation(latitude, longitude, t) >= (
            USEFUL_ELEVATION
        ):
            day += 1
        if day < self.day:
            return []
        scale = self.scale()
        return [wh * scale for wh in self.wh[day - self.day :]]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DaysAhead:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)
