"""The year's exogenous traces, per minute: the panel, the home's load, devices, the forecast, the
tasks the scheduler offers.

Built once per run with numpy, a day at a time for the panel (the simulation's own ``solar_day``:
pvlib's sun, the TMY weather, the PVWatts panel) with minute clouds on top (``clouds.py``), then
shared by every policy. Household load is BDEW's H25 standard load profile from demandlib, scaled
to the home's annual consumption, with appliances used at random on top; devices follow daily
patterns. The forecast is what a forecast entity (forecast.solar, Solcast) shows: an hourly figure
made the day before from the clear-sky model and an error process, blind to the minute's clouds.
Tasks arrive as iExec's scheduler offers them. Everything random is seeded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import pandas as pd

from bench.policy.clouds import cloud_factor, hourly_index
from bench.policy.scenario import BenchScenario, Device
from hardware_bridge.sim.solar import dc_power, solar_day

MINUTES_PER_DAY = 1440
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Traces:
    """Per-minute arrays over the run (index i is minute i from the first UTC midnight)."""

    t0: float  # epoch seconds of minute 0
    panel_w: Floats  # DC at the panel's maximum power point (off-grid) or AC (grid-tied)
    panel_v: Floats
    home_w: Floats  # grid-tied: the home's load without compute (0 off-grid)
    busy: Ints  # bit k set: device k is on
    device_names: tuple[str, ...]
    forecast_wh: Floats | None  # the forecast entity's "next hour" production (Wh) each minute
    offers: Ints  # minutes of the task the scheduler offers at each minute (0: none)
    # Off-grid: forecast entities' energy for tomorrow and the days after (Wh), a row a minute
    # and a column a day ahead; NaN unknown
    days_ahead_wh: Floats | None = None

    @property
    def minutes(self) -> int:
        return len(self.panel_w)

    def busy_names(self, i: int) -> tuple[str, ...]:
        bits = int(self.busy[i])
        if not bits:
            return ()
        return tuple(n for k, n in enumerate(self.device_names) if bits >> k & 1)


def hourly_panel(s: BenchScenario) -> tuple[Floats, Floats]:
    """The panel's power and voltage each minute, the weather's hours interpolated (no clouds)."""
    power, volts = [], []
    for d in range(s.days):
        day = solar_day(s.sim.site, s.sim.panel, s.sim.weather, s.start + timedelta(days=d))
        power.append(day.power[:MINUTES_PER_DAY])
        volts.append(day.voltage[:MINUTES_PER_DAY])
    return np.concatenate(power), np.concatenate(volts)


def clear_panel(s: BenchScenario, hours: int) -> Floats:
    """The panel's power under pvlib's clear sky (Ineichen), at each UTC hour's midpoint."""
    start = pd.Timestamp(s.start, tz="UTC") + pd.Timedelta(minutes=30)
    times = pd.date_range(start, periods=hours, freq="1h")
    sky = s.sim.site.location.get_clearsky(times)
    weather = pd.DataFrame(
        {"ghi": sky["ghi"], "dni": sky["dni"], "dhi": sky["dhi"], "temp_air": 20.0},
        index=times,
    ).assign(wind_speed=1.0)
    power, _ = dc_power(s.sim.site, s.sim.panel, times, weather)
    return power


CLOUD_SEED = 2000  # the minute clouds' generator: the scenario's seed plus this


def panel_index(s: BenchScenario, panel_w: Floats, clear_w: Floats) -> Floats:
    """Each hour's clear-sky index of the (hourly-interpolated) panel."""
    hourly = panel_w.reshape(-1, 60).mean(axis=1)
    return hourly_index(hourly, clear_w, floor=0.01 * s.sim.panel.peak_watts)


def _clouds(s: BenchScenario, panel_w: Floats, clear_w: Floats) -> tuple[Floats, Floats]:
    """Minute clouds on the panel; returns it and each hour's clear-sky index."""
    index = panel_index(s, panel_w, clear_w)
    rng = np.random.default_rng(s.seed + CLOUD_SEED)
    return panel_w * cloud_factor(index, rng), index


def _hourly_forecast(
    s: BenchScenario, clear_w: Floats, index: Floats, rng: np.random.Generator
) -> Floats:
    """The panel's energy a forecast entity expects in each hour (Wh, DC at the panel).

    The clear-sky model times the hour's clear-sky index as a day-ahead forecast gets it: the
    TMY hour's index with a log-normal error, AR(1) from hour to hour (sigma ``error``, 0.8 an
    hour: errors persist through a day, as a mistaken front does), blind to the minute's clouds.
    """
    phi, sigma = 0.8, s.forecast.error
    white = rng.standard_normal(len(index))
    from scipy.signal import lfilter

    error = lfilter([sigma * np.sqrt(1.0 - phi**2)], [1.0, -phi], white)
    result: Floats = clear_w * np.clip(index * np.exp(error - sigma**2 / 2.0), 0.0, 1.1)
    return result


def _next_hour_entity(s: BenchScenario, hourly: Floats) -> Floats:
    """The "energy production next hour" a forecast entity shows (Wh), refreshed each hour."""
    if s.kind == "grid_tied":
        hourly = hourly * s.home.inverter_efficiency
    result: Floats = np.repeat(hourly, 60)  # W over the hour = Wh in the hour
    return result


def _days_ahead_entities(
    s: BenchScenario, hourly: Floats, local: pd.DatetimeIndex, rng: np.random.Generator
) -> Floats:
    """What forecast entities for tomorrow and the days after show each minute (Wh; a column a
    day ahead, NaN where that day is past the run): the same forecast summed over each local
    calendar day, days further ahead with an added daily log-normal error (sigma
    ``lead_error`` times the square root of the days beyond tomorrow): a forecast made further
    ahead misses more."""
    days = np.asarray((local.normalize().tz_localize(None) - pd.Timestamp(s.start)).days)
    first = int(days.min())
    hour_days = days[30::60] - first  # the local day of each hour's middle minute
    totals = np.bincount(hour_days, weights=hourly)
    # A day only partly inside the run is not a whole forecast: unknown, as past its end.
    totals[np.bincount(hour_days) < 24] = np.nan
    result: Floats = np.full((len(days), s.forecast.days), np.nan)
    for lead in range(1, s.forecast.days + 1):
        sigma = s.forecast.lead_error * np.sqrt(lead - 1)
        noisy = totals * np.exp(rng.normal(-(sigma**2) / 2.0, sigma, len(totals)))
        target = days - first + lead
        inside = target < len(totals)
        result[inside, lead - 1] = noisy[target[inside]]
    return result


def task_offers(s: BenchScenario, minutes: int) -> Ints:
    """The tasks the scheduler offers: Poisson arrivals at ``per_hour``, log-normal lengths
    capped at the category's limit (whole minutes); one offer a minute at most."""
    rng = np.random.default_rng(s.seed + 1000)
    t = s.tasks
    expected = int(minutes / 60.0 * t.per_hour * 1.2) + 16
    gaps = rng.exponential(60.0 / t.per_hour, expected)
    arrivals = np.cumsum(gaps).astype(np.int64)
    arrivals = arrivals[arrivals < minutes]
    lengths = rng.lognormal(np.log(t.median_minutes), t.sigma, len(arrivals))
    offers = np.zeros(minutes, dtype=np.int64)
    offers[arrivals] = np.clip(np.rint(lengths), 1, t.limit_minutes).astype(np.int64)
    return offers


def local_times(s: BenchScenario, minutes: int) -> pd.DatetimeIndex:
    start = pd.Timestamp(s.start, tz="UTC")
    utc = pd.date_range(start, periods=minutes, freq="1min")
    return utc.tz_convert(s.sim.site.timezone).tz_localize(None)


def household(s: BenchScenario, local: pd.DatetimeIndex) -> Floats:
    """BDEW H25 (kW per GWh a year) at each minute's local wall time, scaled to the home."""
    from demandlib.bdew import H25

    first = local.min().floor("D")
    index15 = pd.date_range(first, local.max().ceil("D"), freq="15min")
    profile = H25(index15)
    values = profile.reindex(local.floor("15min")).to_numpy(float)
    return values * s.home.annual_kwh / 1000.0  # kW/GWh x kWh/1000 = W


def _local_epoch(zone: ZoneInfo, day: object, hours: float) -> float:
    moment = datetime.combine(day, time(), tzinfo=zone) + timedelta(hours=hours)  # type: ignore[arg-type]
    return moment.astimezone(UTC).timestamp()


def _span(t0: float, start: float, minutes: float, length: int) -> tuple[int, int]:
    """The minutes [a, b) of the run a use starting at epoch ``start`` covers."""
    a = int((start - t0) // 60)
    b = a + max(1, round(minutes))
    return max(a, 0), min(b, length)


def _add(load: Floats, t0: float, start: float, minutes: float, watts: float) -> tuple[int, int]:
    a, b = _span(t0, start, minutes, len(load))
    if a < b:
        load[a:b] += watts
    return a, b


def _day_matches(device: Device, weekday: int) -> bool:
    if device.days == "weekdays":
        return weekday < 5
    if device.days == "weekend":
        return weekday >= 5
    return True


def _local_days(s: BenchScenario) -> list[date]:
    return [s.start + timedelta(days=d) for d in range(-1, s.days + 1)]


def appliance_runs(
    s: BenchScenario, rng: np.random.Generator, minutes: int
) -> list[tuple[int, int, float]]:
    """The appliances' uses at random: (first minute, end minute, W) each, in draw order.

    ``rng`` is the run's own generator, first thing drawn from: the devices draw after it.
    """
    t0 = datetime.combine(s.start, time(), tzinfo=UTC).timestamp()
    zone = ZoneInfo(s.sim.site.timezone)
    runs = []
    for appliance in s.home.appliances:
        for day in _local_days(s):
            for _ in range(rng.poisson(appliance.per_week / 7.0)):
                hour = rng.uniform(appliance.earliest, appliance.latest)
                a, b = _span(t0, _local_epoch(zone, day, hour), appliance.minutes, minutes)
                if a < b:
                    runs.append((a, b, appliance.watts))
    return runs


def build(s: BenchScenario) -> Traces:
    """Every exogenous trace of the run."""
    rng = np.random.default_rng(s.seed)
    panel_w, panel_v = hourly_panel(s)
    minutes = len(panel_w)
    clear_w = clear_panel(s, minutes // 60)
    panel_w, index = _clouds(s, panel_w, clear_w)
    t0 = datetime.combine(s.start, time(), tzinfo=UTC).timestamp()
    zone = ZoneInfo(s.sim.site.timezone)
    local_days = _local_days(s)
    home = np.zeros(minutes)
    busy = np.zeros(minutes, dtype=np.int64)
    names = tuple(dict.fromkeys(d.name for d in s.devices))
    if s.kind == "grid_tied":
        panel_w = panel_w * s.home.inverter_efficiency
        home += household(s, local_times(s, minutes))
        for a, b, watts in appliance_runs(s, rng, minutes):
            home[a:b] += watts
    for device in s.devices:
        bit = 1 << names.index(device.name)
        for day in local_days:
            if not _day_matches(device, day.weekday()) or rng.random() >= device.chance:
                continue
            jitter = device.jitter_minutes / 60.0
            hour = device.start + rng.normal(0.0, jitter)
            hours = max(0.25, device.hours + rng.normal(0.0, jitter))
            a, b = _add(home, t0, _local_epoch(zone, day, hour), hours * 60, device.watts)
            busy[a:b] |= bit
    hourly = _hourly_forecast(s, clear_w, index, np.random.default_rng(s.seed + 3000))
    forecast = _next_hour_entity(s, hourly) if s.forecast.enabled else None
    ahead = None
    if s.kind == "off_grid" and s.forecast.days:
        rng_ahead = np.random.default_rng(s.seed + 4000)
        ahead = _days_ahead_entities(s, hourly, local_times(s, minutes), rng_ahead)
    return Traces(t0, panel_w, panel_v, home, busy, names, forecast, task_offers(s, minutes), ahead)
