"""Clouds by the minute over an hourly typical year.

A TMY file gives hourly irradiance; interpolated to minutes it is a smooth curve in which no cloud
ever passes, and every controller looks better than it would under a real sky. This adds
minute-scale variability with the stochastic model of Skartveit & Olseth (1992), "The probability
density and autocorrelation of short-term global and beam irradiance", Solar Energy 49(6),
477-487: the one-minute clear-sky index is a first-order autoregressive process around the hour's
index, with a within-hour standard deviation that grows with the hour-to-hour variability index
``sigma3`` (how much the hourly index changes against its neighbours) and is largest at middling
clearness (broken cloud), vanishing under a steady clear or overcast sky. Each hour is then scaled
back to the TMY's own hourly mean, so the year's energy is the file's.

The constants are the model's shape with round values set by hand; ``tests/policy/test_clouds.py``
checks the ramps they make against a real one-minute day (NREL MIDC, shipped by pvanalytics).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.signal import lfilter

Floats = npt.NDArray[np.float64]

PHI = 0.9  # lag-1 autocorrelation of the one-minute clear-sky index
PER_SIGMA3 = 0.5  # within-hour standard deviation per unit of sigma3
BROKEN = 0.15  # within-hour standard deviation at an hourly index of 0.5 (broken cloud)
K_MAX = 1.4  # cloud enhancement: the brightest minute, relative to the clear sky


def hourly_index(actual: Floats, clear: Floats, floor: float) -> Floats:
    """The clear-sky index of each hour; 1 where the clear sky is under ``floor`` (night, dawn)."""
    lit = clear > floor
    index = np.ones_like(actual)
    index[lit] = np.clip(actual[lit] / clear[lit], 0.0, K_MAX)
    return index


def sigma3(index: Floats) -> Floats:
    """Skartveit & Olseth's hour-to-hour variability index: the RMS change to either neighbour."""
    before = np.concatenate([index[:1], index[:-1]])
    after = np.concatenate([index[1:], index[-1:]])
    result: Floats = np.sqrt(((index - before) ** 2 + (index - after) ** 2) / 2.0)
    return result


def within_hour_sd(index: Floats) -> Floats:
    """The standard deviation of the one-minute index within each hour."""
    clearness = np.clip(index, 0.0, 1.0)
    return PER_SIGMA3 * sigma3(index) + BROKEN * 4.0 * clearness * (1.0 - clearness)


def unit_noise(minutes: int, rng: np.random.Generator) -> Floats:
    """A unit-variance AR(1), one value a minute: x[t] = PHI x[t-1] + sqrt(1 - PHI^2) e[t]."""
    white = rng.standard_normal(minutes)
    result: Floats = lfilter([np.sqrt(1.0 - PHI**2)], [1.0, -PHI], white)
    return result


def raw_minute_index(index: Floats, noise: Floats) -> Floats:
    """The hour's index plus its within-hour spread times the noise, before the hourly scaling."""
    hourly = np.repeat(index, 60)
    result: Floats = np.clip(hourly + np.repeat(within_hour_sd(index), 60) * noise, 0.0, K_MAX)
    return result


def hour_scale(index: Floats, raw: Floats) -> Floats:
    """Per hour, what brings the raw minutes' mean back to the hour's own index."""
    means = raw.reshape(-1, 60).mean(axis=1)
    result: Floats = np.divide(index, means, out=np.ones_like(index), where=means > 0)
    return result


def minute_index(index: Floats, rng: np.random.Generator) -> Floats:
    """One-minute clear-sky index (60 values an hour) around the hourly ``index``."""
    raw = raw_minute_index(index, unit_noise(len(index) * 60, rng))  # across hour boundaries
    result: Floats = raw * np.repeat(hour_scale(index, raw), 60)
    return result


def cloud_factor(index: Floats, rng: np.random.Generator) -> Floats:
    """The factor (mean 1 each hour) that puts minute clouds on an hourly-interpolated curve."""
    hourly = np.repeat(index, 60)
    result: Floats = np.divide(
        minute_index(index, rng), hourly, out=np.ones_like(hourly), where=hourly > 0
    )
    return result
