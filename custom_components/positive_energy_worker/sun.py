"""The sun at the site: where it stands, when it is useful, what a clear sky gives. Pure Python.

NOAA's low-precision solar position (declination and the equation of time from the fractional
year, good to a fraction of a degree: enough to count hours of sun), and Haurwitz's clear-sky
model (1945) for the relative irradiance on the ground. The off-grid reserve (``reserve.py``) counts
the hours to the next useful sun with it, and the grid-tied assembly (``assembly.py``) carries the
present production forward along the clear-sky curve.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

USEFUL_ELEVATION: Final = 10.0  # degrees: below it a fixed panel yields a few % of its rating
DAY_S: Final = 86400.0
HOUR_S: Final = 3600.0


@dataclass(frozen=True)
class Site:
    """Where the panel is: Home Assistant's home location (degrees, north and east positive)."""

    latitude: float
    longitude: float


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
    sun stands above ``USEFUL_ELEVATION``. A day whose sun rises but stays under it has its noon
    alone, the day's best sun: north of 56.5 degrees in winter that is weeks of days, and a panel
    there is tilted to meet the low sun (at Oslo in December a 60-degree one carries a Pi for
    hours), so the night to carry is a day at most, not the weeks to a 10-degree sun. None when
    the sun does not rise at all (a polar night)."""
    decl, eot = _declination_and_eot(day * DAY_S + DAY_S / 2.0)
    noon = day * DAY_S + (720.0 - 4.0 * longitude - eot) * 60.0
    lat = math.radians(latitude)
    cos_h = (math.sin(math.radians(USEFUL_ELEVATION)) - math.sin(lat) * math.sin(decl)) / (
        math.cos(lat) * math.cos(decl)
    )
    if cos_h >= 1.0:
        rises = -math.tan(lat) * math.tan(decl) < 1.0  # the hour angle of sunrise exists
        return (noon, noon) if rises else None
    half = DAY_S / 2.0 if cos_h <= -1.0 else math.degrees(math.acos(cos_h)) / 15.0 * HOUR_S
    return noon - half, noon + half


def _windows(
    latitude: float, longitude: float, t: float, horizon_days: int
) -> Iterator[tuple[float, float]]:
    """The useful windows from the day before ``t``'s on, in order, polar nights skipped."""
    first = int(t // DAY_S) - 1
    for day in range(first, first + horizon_days):
        window = useful_window(latitude, longitude, day)
        if window is not None:
            yield window


def hours_to_carry(latitude: float, longitude: float, t: float, horizon_days: int = 60) -> float:
    """Hours the battery must carry the Pi from ``t``: to the next useful sun, or, while the sun
    is up, from the coming sunset to the next useful sun after it."""
    sunset: float | None = None  # set once ``t`` is found inside a window
    for rise, end in _windows(latitude, longitude, t, horizon_days):
        if sunset is not None:
            if rise > sunset:
                return (rise - sunset) / HOUR_S
            sunset = max(sunset, end)  # a midnight sun: the windows touch
        elif t < rise:
            return (rise - t) / HOUR_S
        elif t <= end:
            sunset = end
    return horizon_days * 24.0


def next_useful_sun(
    latitude: float, longitude: float, t: float, horizon_days: int = 60
) -> float | None:
    """When the next useful sun comes, if ``t`` is before it; None while the sun is useful (or
    none comes within the horizon)."""
    for rise, end in _windows(latitude, longitude, t, horizon_days):
        if t < rise:
            return rise
        if t <= end:
            return None
    return None


def clear_sky(latitude: float, longitude: float, t: float) -> float:
    """Relative clear-sky irradiance at ``t`` (Haurwitz's model over 1000 W/m²)."""
    sin_el = math.sin(math.radians(solar_elevation(latitude, longitude, t)))
    if sin_el <= 0.0:
        return 0.0
    return 1.098 * sin_el * math.exp(-0.057 / sin_el)


# Below this relative clear-sky irradiance the sun is barely up, and the clear-sky index (what
# the panel gives over what a clear sky would) is noise: the index is taken against it instead.
CLEAR_FLOOR: Final = 0.05


def persisted_w(site: Site, t: float, power_w: float, hours: float, steps: int = 4) -> float:
    """The mean power over the ``hours`` after ``t`` if the clear-sky index stays what it is at
    ``t``: ``power_w`` carried along the clear-sky curve, "smart persistence", the reference
    every intra-hour solar forecast is measured against. It sees the evening coming, not a
    cloud."""
    now = max(clear_sky(site.latitude, site.longitude, t), CLEAR_FLOOR)
    ahead = [
        clear_sky(site.latitude, site.longitude, t + hours * HOUR_S * (k + 0.5) / steps)
        for k in range(steps)
    ]
    return max(0.0, power_w) / now * sum(ahead) / steps
