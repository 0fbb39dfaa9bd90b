"""Irradiance and air temperature for one day, per minute: clear sky or a typical year's file.

All pandas work happens once per simulated day; the simulation then looks values up in numpy
arrays, so a step costs microseconds and a bridge sampling at 1 Hz stays far below 1 % of a core.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pvlib

from hardware_bridge.sim.weather_files import weather_in_year

MINUTES = 24 * 60 + 1  # both midnights, so interpolation never runs off the end
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Site:
    """Where the panel stands."""

    latitude: float
    longitude: float
    altitude: float = 0.0
    timezone: str = "UTC"

    @property
    def location(self) -> Any:
        return pvlib.location.Location(
            self.latitude, self.longitude, tz=self.timezone, altitude=self.altitude
        )


@dataclass(frozen=True)
class WeatherSource:
    """``clearsky`` (pvlib's Ineichen model) or ``tmy``: a typical year's file (TMY3, TMY2, EPW
    or PVGIS); a relative name is one of the files pvlib ships."""

    source: str = "clearsky"
    tmy_file: str | None = None

    def tmy_path(self) -> Path:
        assert self.tmy_file is not None
        path = Path(self.tmy_file)
        return path if path.is_absolute() else Path(pvlib.__file__).parent / "data" / path


@dataclass(frozen=True)
class DayWeather:
    """A UTC day's weather, one row per minute from midnight to midnight."""

    day: date
    times: pd.DatetimeIndex
    ghi: FloatArray
    dni: FloatArray
    dhi: FloatArray
    temp_air: FloatArray
    wind_speed: FloatArray


def minute_times(day: date) -> pd.DatetimeIndex:
    return pd.date_range(pd.Timestamp(day, tz="UTC"), periods=MINUTES, freq="1min")


def _clear_sky_temperature(times: pd.DatetimeIndex, site: Site, day: date) -> FloatArray:
    """A plain diurnal curve (coolest at dawn, warmest mid-afternoon) for clear-sky runs."""
    local_hours = times.tz_convert(site.timezone)
    hour = np.asarray(local_hours.hour + local_hours.minute / 60.0, dtype=float)
    summer = np.cos(2 * np.pi * (day.timetuple().tm_yday - 200) / 365.0)
    mean = 14.0 + 10.0 * summer * np.sign(site.latitude)
    result: FloatArray = mean + 6.0 * np.cos(2 * np.pi * (hour - 15.0) / 24.0)
    return result


def day_weather(site: Site, source: WeatherSource, day: date) -> DayWeather:
    """Per-minute irradiance (W/m²), air temperature (°C) and wind (m/s) over a UTC day."""
    times = minute_times(day)
    if source.source == "clearsky":
        sky = site.location.get_clearsky(times)
        return DayWeather(
            day,
            times,
            sky["ghi"].to_numpy(float),
            sky["dni"].to_numpy(float),
            sky["dhi"].to_numpy(float),
            _clear_sky_temperature(times, site, day),
            np.full(MINUTES, 1.0),
        )
    path = source.tmy_path()
    frames = [weather_in_year(path, year) for year in {day.year - 1, day.year, day.year + 1}]
    tmy = pd.concat(frames).sort_index()
    tmy = tmy[~tmy.index.duplicated()]
    window = tmy.loc[times[0] - pd.Timedelta(hours=2) : times[-1] + pd.Timedelta(hours=2)]
    grid = window.reindex(window.index.union(times)).interpolate(method="time").loc[times]
    ghi, dni, dhi = (grid[col].clip(lower=0).to_numpy(float) for col in ("ghi", "dni", "dhi"))
    return DayWeather(
        day,
        times,
        ghi,
        dni,
        dhi,
        grid["temp_air"].to_numpy(float),
        grid["wind_speed"].to_numpy(float),
    )


def minute_of_day(moment: datetime) -> float:
    """Minutes since UTC midnight, the index into a DayWeather's arrays."""
    midnight = datetime(moment.year, moment.month, moment.day, tzinfo=moment.tzinfo)
    return (moment - midnight) / timedelta(minutes=1)
