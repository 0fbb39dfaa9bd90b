"""Typical-year weather files in each format pvlib reads: TMY3, TMY2, EPW and PVGIS's TMY.

The format comes from the extension (and, for a ``.csv``, the first line: PVGIS's starts with the
site's latitude). Every format becomes the same frame: ghi, dni, dhi (W/m²), temp_air (°C) and
wind_speed (m/s), in UTC at the middle of the hour each row describes. A file that cannot be read
is a ConfigError naming it, whatever pvlib's parser raised.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pvlib

from hardware_bridge.base.errors import ConfigError

COLUMNS = ["ghi", "dni", "dhi", "temp_air", "wind_speed"]
HALF_HOUR = pd.Timedelta(minutes=30)
# TMY2 gives the air temperature and the wind speed in tenths, and pvlib leaves them so.
TMY2_COLUMNS = {"GHI": 1.0, "DNI": 1.0, "DHI": 1.0, "DryBulb": 0.1, "Wspd": 0.1}


def _tmy3(path: Path) -> pd.DataFrame:
    frame: pd.DataFrame = pvlib.iotools.read_tmy3(str(path), map_variables=True)[0]
    return frame


def _tmy2(path: Path) -> pd.DataFrame:
    data = pvlib.iotools.read_tmy2(str(path))[0]
    frame: pd.DataFrame = data[list(TMY2_COLUMNS)] * pd.Series(TMY2_COLUMNS)
    return frame.set_axis(COLUMNS, axis="columns")


def _epw(path: Path) -> pd.DataFrame:
    frame: pd.DataFrame = pvlib.iotools.read_epw(str(path))[0]
    return frame


def _pvgis(path: Path) -> pd.DataFrame:
    frame: pd.DataFrame = pvlib.iotools.read_pvgis_tmy(str(path), map_variables=True)[0]
    return frame


@dataclass(frozen=True)
class WeatherFormat:
    """A file format, its reader, and where its time stamps sit in the hour a row describes."""

    name: str
    read: Callable[[Path], pd.DataFrame]
    to_middle: pd.Timedelta


# TMY3 stamps the end of each hour; pvlib's TMY2 and EPW readers move the stamp to its start.
# PVGIS stamps each hour in UTC with values near that instant (satellite images): read as is.
TMY3 = WeatherFormat("TMY3", _tmy3, -HALF_HOUR)
TMY2 = WeatherFormat("TMY2", _tmy2, HALF_HOUR)
EPW = WeatherFormat("EPW", _epw, HALF_HOUR)
PVGIS = WeatherFormat("PVGIS TMY", _pvgis, pd.Timedelta(0))
BY_SUFFIX = {".tm2": TMY2, ".epw": EPW, ".json": PVGIS}
KNOWN = "TMY3 (.csv), TMY2 (.tm2), EPW (.epw) or PVGIS TMY (.csv, .json)"


def weather_format(path: Path) -> WeatherFormat:
    """The format of a weather file, from its extension and, for a .csv, its first line."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            with path.open(encoding="utf-8", errors="replace") as handle:
                first = handle.readline()
        except OSError as err:
            raise ConfigError(f"{path}: {err.strerror or err}") from err
        return PVGIS if first.startswith("Latitude") else TMY3
    if suffix not in BY_SUFFIX:
        raise ConfigError(f"{path}: not a weather file the simulation reads: expected {KNOWN}")
    return BY_SUFFIX[suffix]


def _one_line(err: Exception) -> str:
    lines = str(err).strip().splitlines()
    return f"{type(err).__name__}: {lines[0]}" if lines else type(err).__name__


@cache
def typical_year(path: Path) -> pd.DataFrame:
    """The file's rows as it stamps them (local or UTC), in the bridge's columns and units."""
    form = weather_format(path)
    try:
        frame = form.read(path)[COLUMNS].astype(float)
    except Exception as err:  # pvlib's parsers fail in many ways on a file of another format
        raise ConfigError(f"{path}: cannot read it as {form.name}: {_one_line(err)}") from err
    if not isinstance(frame.index, pd.DatetimeIndex) or frame.index.tz is None or frame.empty:
        raise ConfigError(f"{path}: cannot read it as {form.name}: no time-stamped rows")
    return frame


@cache
def weather_in_year(path: Path, year: int) -> pd.DataFrame:
    """The typical year mapped onto ``year``, stamped in UTC at the middle of each hour."""
    frame = typical_year(path)
    stamps: Any = frame.index
    # A typical year joins months of different years; 29 February has no place in most.
    keep = ~((stamps.month == 2) & (stamps.day == 29))
    frame, stamps = frame[keep], stamps[keep]
    fields = {"year": year, "month": stamps.month, "day": stamps.day, "hour": stamps.hour}
    moved = pd.DatetimeIndex(pd.to_datetime(pd.DataFrame(fields))).tz_localize(stamps.tz)
    # Rows past a step back in time run on into the next year (TMY3's last hour ends at midnight).
    steps_back = np.flatnonzero(np.diff(moved.asi8) < 0)
    if steps_back.size:
        cut = steps_back[0] + 1
        moved = moved[:cut].append(moved[cut:] + pd.DateOffset(years=1))
    middle = moved.tz_convert("UTC") + weather_format(path).to_middle
    return frame.set_axis(middle, axis="index")
