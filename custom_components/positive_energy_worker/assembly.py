"""What the policy sees, assembled from readings: the surplus, the store, the forecast. Pure Python.

The compute window reads the home's entities into ``HomeReadings`` (``observation.py``) and the
bridge's state arrives parsed (``models.BridgeState``); ``Assembly`` makes the ``Observation``
of them. The benchmark (``python -m bench.policy``) feeds this very class with the readings of
its simulated homes, so what it measures is what a home runs.

The surplus comes from the source the options chose (``surplus.py`` does the arithmetic), the
worker's draw and its task from the bridge; off-grid the reserve is the night's need at the
site (``reserve.py``). The smoothed surplus, the off-grid estimator's memory of failed probes, the
panel's harvest memory and the start of the task in flight survive a restart via ``to_dict``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .days_ahead import DaysAhead
from .models import BridgeDevice, BridgeState
from .policy import Observation
from .reserve import Harvest, NightReserve
from .settings import AutoSettings, Source
from .sun import Site, persisted_w
from .surplus import (
    GridMeter,
    HomeBattery,
    OffGridConfig,
    OffGridEstimator,
    OffGridReading,
    Smoother,
    grid_surplus,
)


@dataclass(frozen=True)
class HomeReadings:
    """The home's entities now, in W, Wh and %; None where unread or not chosen."""

    grid_w: float | None = None  # import positive unless the options say export is
    production_w: float | None = None
    consumption_w: float | None = None
    home_battery_soc: float | None = None
    home_battery_w: float | None = None  # positive while charging
    forecast_wh: float | None = None  # the forecast entity's "next hour" production
    # Off-grid: the forecast entities' production tomorrow and on the days after, in order.
    days_ahead_wh: tuple[float, ...] = ()
    busy: tuple[str, ...] = ()  # the devices and priority consumers in use


@dataclass(frozen=True)
class Assembled:
    """An observation, and the smoothed surplus the window's entities show."""

    observation: Observation
    surplus_w: float | None  # smoothed; None while the source is unread


@dataclass(frozen=True)
class _Estimate:
    """The surplus source's reading."""

    surplus_w: float | None
    home_use_w: float | None = None  # the home's draw without the worker: a forecast covers it
    battery_soc: float | None = None
    carry_hours: float | None = None
    probe: bool = False
    reserve_soc: float | None = None
    claimed_in_h: float | None = None


def capacity_wh(device: BridgeDevice) -> float:
    """The Pi's battery's energy, as the bridge's configuration states it."""
    return device.battery.nominal_voltage * device.battery.capacity_ah


class Assembly:
    """Makes one entry's observations from its readings, in time order."""

    def __init__(
        self, settings: AutoSettings, battery_wh: float, saved: Mapping[str, Any], site: Site
    ) -> None:
        self.settings = settings
        self._smoother = Smoother(
            settings.smoothing_s, saved.get("surplus_w"), saved.get("surplus_time")
        )
        self._estimator = OffGridEstimator(
            OffGridConfig(capacity_wh=battery_wh, reserve_soc=settings.policy.battery_reserve_soc),
            saved.get("failed_probe_at"),
        )
        self._night = NightReserve(
            site,
            battery_wh,
            settings.policy.battery_reserve_soc,
            Harvest.from_dict(saved.get("harvest") or {}),
            DaysAhead.from_dict(saved.get("days_ahead") or {}),
        )
        self._task_started: float | None = saved.get("task_started")

    def to_dict(self) -> dict[str, Any]:
        """What a restart must keep, as plain JSON-able data."""
        return {
            "surplus_w": self._smoother.value,
            "surplus_time": self._smoother.time,
            "failed_probe_at": self._estimator.failed_probe_at,
            "task_started": self._task_started,
            "harvest": self._night.harvest.to_dict(),
            "days_ahead": self._night.ahead.to_dict(),
        }

    def assemble(self, now: float, home: HomeReadings, bridge: BridgeState | None) -> Assembled:
        """The observation at ``now`` (seconds since the epoch); ``bridge`` None while unread."""
        policy = self.settings.policy
        drawing = bridge is not None and bridge.worker.drawing
        estimate = self._estimate(now, home, bridge, policy.worker_watts if drawing else 0.0)
        surplus = None
        if estimate.surplus_w is not None:
            surplus = self._smoother.update(now, estimate.surplus_w)
        observation = Observation(
            time=now,
            # Unread meters show no surplus: nothing starts on a reading nobody made.
            surplus_w=0.0 if surplus is None else surplus,
            worker_running=bridge is not None and bridge.worker.running,
            task_started=self._task(now, bridge),
            busy=home.busy,
            battery_soc=estimate.battery_soc,
            carry_hours=estimate.carry_hours,
            forecast_wh=self._forecast_wh(now, home, estimate.home_use_w),
            probe=estimate.probe,
            reserve_soc=estimate.reserve_soc,
            claimed_in_h=estimate.claimed_in_h,
        )
        return Assembled(observation, surplus)

    def _task(self, now: float, bridge: BridgeState | None) -> float | None:
        """When the task in flight started, as first seen (the bridge does not say)."""
        if bridge is not None:
            running = bridge.worker.tasks_running > 0
            self._task_started = (self._task_started or now) if running else None
        return self._task_started

    def _estimate(
        self, now: float, home: HomeReadings, bridge: BridgeState | None, worker_w: float
    ) -> _Estimate:
        if self.settings.source is Source.OFF_GRID:
            return self._off_grid(now, bridge, worker_w, home.days_ahead_wh)
        return self._grid_tied(home, worker_w)

    def _grid_tied(self, home: HomeReadings, worker_w: float) -> _Estimate:
        s = self.settings
        battery = None
        if home.home_battery_soc is not None:
            charge = home.home_battery_w or 0.0
            battery = HomeBattery(home.home_battery_soc, charge, s.max_charge_w, s.priority_soc)
        consumption = None
        if s.source is Source.GRID:
            meter = GridMeter(grid_w=home.grid_w, export_positive=s.export_positive)
            readable = meter.grid_w is not None
        else:
            consumption = home.consumption_w
            meter = GridMeter(production_w=home.production_w, consumption_w=consumption)
            readable = None not in (meter.production_w, consumption)
        if not readable:
            return _Estimate(None, battery_soc=home.home_battery_soc)
        home_use = None if consumption is None else max(0.0, consumption - worker_w)
        return _Estimate(grid_surplus(meter, worker_w, battery), home_use, home.home_battery_soc)

    def _off_grid(
        self,
        now: float,
        bridge: BridgeState | None,
        worker_w: float,
        days_ahead_wh: tuple[float, ...],
    ) -> _Estimate:
        if bridge is None or bridge.battery is None or bridge.solar is None:
            return _Estimate(None)
        soc, battery_w, panel_w = bridge.battery.soc, bridge.battery.power, bridge.solar.power
        if soc is None or battery_w is None:
            return _Estimate(None)
        load_w = panel_w - battery_w  # what the Pi draws, its converters' losses included
        reading = OffGridReading(now, soc, battery_w, panel_w, load_w, worker_w)
        reserve = self._night.update(
            now, panel_w, load_w, worker_w, soc, days_ahead_wh=days_ahead_wh
        )
        estimate = self._estimator.estimate(reading, self.settings.policy.worker_watts, reserve)
        return _Estimate(
            estimate.surplus_w,
            home_use_w=max(0.0, load_w - worker_w),
            battery_soc=soc,
            carry_hours=estimate.carry_hours,
            probe=estimate.probe,
            reserve_soc=reserve,
            claimed_in_h=self._night.claimed_in_h(now, soc),
        )

    def _forecast_wh(
        self, now: float, home: HomeReadings, home_use_w: float | None
    ) -> float | None:
        """The surplus energy a forecast promises over a task: the production ahead less the
        home's present use, over ``task_hours``. Where production is read, it is carried along
        the clear-sky curve (``sun.persisted_w``): over the minutes a task takes, that beats an
        hourly forecast entity, which is off by a third on an hour and late on every cloud;
        without a production sensor, the entity's "next hour" (forecast.solar's, Solcast's)."""
        hours = self.settings.policy.task_hours
        if home.production_w is not None:
            ahead_w = persisted_w(self._night.site, now, home.production_w, hours)
            return max(0.0, ahead_w - (home_use_w or 0.0)) * hours
        if home.forecast_wh is not None:
            # Wh over the next hour, its mean power; without a production sensor the home's use
            # is not known (a grid meter nets it out), so the forecast is taken whole.
            return max(0.0, home.forecast_wh) * hours
        return None
