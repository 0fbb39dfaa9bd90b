"""The panel: plane-of-array irradiance, cell temperature and DC power through pvlib.

A day's maximum-power-point power and voltage are computed per minute in one go (the PVWatts DC
model, then system losses), then looked up by the simulation at every step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
import pvlib

from hardware_bridge.sim.weather import (
    FloatArray,
    Site,
    WeatherSource,
    day_weather,
    minute_of_day,
)

# Crystalline silicon: Vmp falls about 0.35 %/K, much faster than power's current side rises.
VMP_TEMPERATURE_COEFFICIENT = -0.0035


@dataclass(frozen=True)
class Panel:
    """A panel (or string) rated ``peak_watts`` at STC, facing ``azimuth`` (180 = south)."""

    peak_watts: float = 100.0
    tilt: float = 30.0
    azimuth: float = 180.0
    vmp_stc: float = 18.0
    temperature_coefficient: float = -0.004  # of power, per K
    system_losses: float = 0.14  # soiling, wiring, mismatch, ageing (PVWatts' default)


@dataclass(frozen=True)
class SolarDay:
    """One UTC day of the panel at its maximum power point, per minute."""

    day: date
    power: FloatArray  # W
    voltage: FloatArray  # V at the maximum power point, 0 in the dark
    temp_air: FloatArray  # °C

    def at(self, moment: datetime) -> tuple[float, float, float]:
        """Power, voltage and air temperature at ``moment`` (UTC)."""
        minute = minute_of_day(moment)
        i = min(int(minute), len(self.power) - 2)
        frac = minute - i
        power, voltage, temp = (
            float(series[i] + (series[i + 1] - series[i]) * frac)
            for series in (self.power, self.voltage, self.temp_air)
        )
        return power, voltage, temp


def dc_power(
    site: Site, panel: Panel, times: pd.DatetimeIndex, weather: Any
) -> tuple[FloatArray, FloatArray]:
    """pvlib's chain: solar position, POA irradiance, Faiman cell temperature, PVWatts DC.

    ``weather`` has ghi, dni, dhi, temp_air and wind_speed aligned with ``times``.
    """
    solpos = site.location.get_solarposition(times)
    poa = pvlib.irradiance.get_total_irradiance(
        panel.tilt,
        panel.azimuth,
        solpos["apparent_zenith"],
        solpos["azimuth"],
        weather.dni,
        weather.ghi,
        weather.dhi,
    )
    poa_global = np.nan_to_num(np.asarray(poa["poa_global"], dtype=float)).clip(min=0)
    temp_cell = np.asarray(
        pvlib.temperature.faiman(poa_global, weather.temp_air, weather.wind_speed), dtype=float
    )
    power = np.asarray(
        pvlib.pvsystem.pvwatts_dc(
            poa_global, temp_cell, panel.peak_watts, panel.temperature_coefficient
        ),
        dtype=float,
    ) * (1 - panel.system_losses)
    voltage = panel.vmp_stc * (1 + VMP_TEMPERATURE_COEFFICIENT * (temp_cell - 25.0))
    lit = power > 0.01
    return np.where(lit, power, 0.0), np.where(lit, voltage, 0.0)


def solar_day(site: Site, panel: Panel, source: WeatherSource, day: date) -> SolarDay:
    """The panel's output over a UTC day."""
    weather = day_weather(site, source, day)
    power, voltage = dc_power(site, panel, weather.times, weather)
    return SolarDay(day, power, voltage, weather.temp_air)


def clear_sky_energy(site: Site, panel: Panel, start: datetime, hours: int = 24) -> float:
    """pvlib's own clear-sky estimate (Wh) for the panel over ``hours`` from ``start``, hourly.

    Independent of the per-minute simulation: hourly mid-points, the same model chain.
    """
    times = pd.date_range(
        pd.Timestamp(start) + pd.Timedelta(minutes=30), periods=hours, freq="1h"
    ).tz_convert("UTC")
    sky = site.location.get_clearsky(times)
    weather = pd.DataFrame(
        {
            "ghi": sky["ghi"],
            "dni": sky["dni"],
            "dhi": sky["dhi"],
            "temp_air": 25.0,
            "wind_speed": 1.0,
        },
        index=times,
    )
    power, _ = dc_power(site, panel, times, weather)
    return float(power.sum())
