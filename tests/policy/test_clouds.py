"""The cloud model's minute-to-minute ramps against a real one-minute day.

pvanalytics ships a day of one-minute global horizontal irradiance measured at NREL's Solar
Radiation Research Laboratory (MIDC BMS, Golden CO, 2022-01-20). Its hourly means, fed to the
cloud model, must give minutes whose ramps are distributed as the real ones are; the hourly data
interpolated (what the benchmark had before) must not.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

import numpy as np
import pandas as pd
import pvlib
import pytest

from bench.policy.clouds import K_MAX, cloud_factor, hourly_index

BMS = pvlib.location.Location(39.742, -105.18, altitude=1828.8)  # NREL's SRRL, Golden CO
PERCENTILES = (50, 90, 99)


@pytest.fixture(scope="module")
def day() -> tuple[np.ndarray, np.ndarray]:
    # Located, not imported: pvanalytics' own import pulls statsmodels and scikit-image.
    spec = find_spec("pvanalytics")
    assert spec is not None
    assert spec.submodule_search_locations is not None
    package = Path(next(iter(spec.submodule_search_locations)))
    path = package / "data" / "midc_bms_ghi_20220120.csv"
    frame = pd.read_csv(path, index_col=0, parse_dates=True)
    ghi = frame.iloc[:1440, 0].clip(lower=0).to_numpy(float)
    clear = BMS.get_clearsky(frame.index[:1440])["ghi"].to_numpy(float)
    return ghi, clear


def ramps(ghi: np.ndarray, clear: np.ndarray) -> np.ndarray:
    """Percentiles of |ΔGHI| between minutes in daylight (clear sky above 50 W/m²), W/m²."""
    daylight = clear[1:] > 50.0
    return np.percentile(np.abs(np.diff(ghi))[daylight], PERCENTILES)


def modelled(ghi: np.ndarray, clear: np.ndarray, seed: int) -> np.ndarray:
    index = hourly_index(ghi.reshape(24, 60).mean(1), clear.reshape(24, 60).mean(1), 20.0)
    return clear * np.repeat(index, 60) * cloud_factor(index, np.random.default_rng(seed))


def test_the_models_ramps_are_the_real_days(day):
    ghi, clear = day
    real = ramps(ghi, clear)
    model = np.median([ramps(modelled(ghi, clear, seed), clear) for seed in range(20)], axis=0)
    # Each percentile within a factor of 1.5 of the measured one (measured: 2.2, 9.1, 35 W/m²).
    assert np.all(model <= 1.5 * real), (model, real)
    assert np.all(model >= real / 1.5), (model, real)


def test_interpolated_hours_miss_the_real_ramps(day):
    ghi, clear = day
    hourly = ghi.reshape(24, 60).mean(1)
    smooth = np.interp(np.arange(1440), np.arange(24) * 60 + 29.5, hourly)
    real, interpolated = ramps(ghi, clear), ramps(smooth, clear)
    assert interpolated[-1] < real[-1] / 5  # the 99th percentile: no cloud ever passes


def test_each_hour_keeps_the_typical_years_energy(day):
    ghi, clear = day
    minutes = modelled(ghi, clear, seed=3)
    hourly = ghi.reshape(24, 60).mean(1)
    index = hourly_index(hourly, clear.reshape(24, 60).mean(1), 20.0)
    kept = (clear.reshape(24, 60).mean(1) > 20.0) & (index < K_MAX)  # not a clipped hour
    # The index is kept exactly; on the curved clear sky the hour's energy within 5 % (dusk).
    assert np.allclose(minutes.reshape(24, 60).mean(1)[kept], hourly[kept], rtol=0.05)
