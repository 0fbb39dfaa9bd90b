"""The year's exogenous traces, per minute: the panel, the home's load, devices, the forecast.

Built once per run with numpy, a day at a time for the panel (the simulation's own ``solar_day``:
pvlib's sun, the TMY weather, the PVWatts panel), then shared by every policy. Household load is
BDEW's H25 standard load profile from demandlib, scaled to the home's annual consumption, with
appliances used at random on top; devices follow daily patterns. Everything random is seeded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import pandas as pd

from bench.policy.scenario import BenchScenario, Device
from hardware_bridge.sim.solar import solar_day

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
    forecast_wh: Floats | None  # usable surplus over the next task, as a forecast says

    @property
    def minutes(self) -> int:
        return len(self.panel_w)

    def busy_names(self, i: int) -> tuple[str, ...]:
        bits = int(self.busy[i])
        if not bits:
            return ()
        return tuple(n for k, n in enumerate(self.device_names) if bits >> k & 1)


def _panel(s: BenchScenario) -> tuple[Floats, Floats]:
    power, volts = [], []
    for d in range(s.days):
        day = solar_day(s.sim.site, s.sim.panel, s.sim.weather, s.start + timedelta(days=d))
        power.append(day.power[:MINUTES_PER_DAY])
        volts.append(day.voltage[:MINUTES_PER_DAY])
    return np.concatenate(power), np.concatenate(volts)


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


def _add(load: Floats, t0: float, start: float, minutes: float, watts: float) -> tuple[int, int]:
    a = int((start - t0) // 60)
    b = a + max(1, round(minutes))
    a, b = max(a, 0), min(b, len(load))
    if a < b:
        load[a:b] += watts
    return a, b


def _day_matches(device: Device, weekday: int) -> bool:
    if device.days == "weekdays":
        return weekday < 5
    if device.days == "weekend":
        return weekday >= 5
    return True


def build(s: BenchScenario) -> Traces:
    """Every exogenous trace of the run."""
    rng = np.random.default_rng(s.seed)
    panel_w, panel_v = _panel(s)
    minutes = len(panel_w)
    t0 = datetime.combine(s.start, time(), tzinfo=UTC).timestamp()
    zone = ZoneInfo(s.sim.site.timezone)
    local_days = [s.start + timedelta(days=d) for d in range(-1, s.days + 1)]
    home = np.zeros(minutes)
    busy = np.zeros(minutes, dtype=np.int64)
    names = tuple(dict.fromkeys(d.name for d in s.devices))
    base: Floats | None = None
    if s.kind == "grid_tied":
        panel_w = panel_w * s.home.inverter_efficiency
        base = household(s, local_times(s, minutes))
        home += base
        for appliance in s.home.appliances:
            for day in local_days:
                for _ in range(rng.poisson(appliance.per_week / 7.0)):
                    hour = rng.uniform(appliance.earliest, appliance.latest)
                    start = _local_epoch(zone, day, hour)
                    _add(home, t0, start, appliance.minutes, appliance.watts)
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
    forecast = None
    if s.forecast.enabled and base is not None:
        forecast = _forecast(s, panel_w, rng)
    return Traces(t0, panel_w, panel_v, home, busy, names, forecast)


def _forecast(s: BenchScenario, panel_w: Floats, rng: np.random.Generator) -> Floats:
    """The forecast entity's state each minute: the panel's production over the next hour (Wh),
    as forecast.solar's and Solcast's "next hour" sensors give it, from a forecast that knows
    the sun but is off by a factor each day. The integration subtracts the home's use itself."""
    days = len(panel_w) // MINUTES_PER_DAY
    factor = np.repeat(np.exp(rng.normal(0.0, s.forecast.error, days)), MINUTES_PER_DAY)
    usable = np.clip(panel_w * factor, 0.0, None) / 60.0
    horizon = 60
    total = np.concatenate([[0.0], np.cumsum(usable)])
    ends = np.minimum(np.arange(len(usable)) + horizon, len(usable))
    result: Floats = total[ends] - total[: len(usable)]
    return result


class TaskQueue:
    """The durations (whole minutes) of the tasks a worker is given, in order, seeded."""

    def __init__(self, s: BenchScenario, chunk: int = 4096) -> None:
        self._rng = np.random.default_rng(s.seed + 1000)
        self._median, self._sigma = s.tasks.median_minutes, s.tasks.sigma
        self._limit = s.tasks.limit_minutes
        self._chunk = chunk
        self._buffer: list[int] = []

    def next(self) -> int:
        if not self._buffer:
            drawn = self._rng.lognormal(np.log(self._median), self._sigma, self._chunk)
            self._buffer = np.clip(np.rint(drawn), 1, self._limit).astype(int).tolist()[::-1]
        return self._buffer.pop()

    def peek(self) -> int:
        value = self.next()
        self._buffer.append(value)
        return value

    def push_back(self, durations: list[int]) -> None:
        """Give back durations taken with ``next``, to be taken again in the same order."""
        self._buffer.extend(reversed(durations))
