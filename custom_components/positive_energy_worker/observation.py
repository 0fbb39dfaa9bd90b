"""What the policy sees: the home's entities and the bridge's state, read into an Observation.

The surplus comes from the source the options chose (``surplus.py`` does the arithmetic), the
busy devices from the idle rules (``idle.py``), the rest from the bridge. The smoothed surplus,
the off-grid estimator's memory of failed probes and the start of the task in flight survive a
restart through ``to_dict``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from homeassistant.const import UnitOfEnergy, UnitOfPower
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
from homeassistant.util.unit_conversion import BaseUnitConverter, EnergyConverter, PowerConverter

from .client import BridgeDevice, BridgeState
from .const import DOMAIN
from .idle import DEVICE_DOMAINS, DeviceState, IdleReport, in_use, report
from .policy import Observation
from .settings import AutoSettings, Source
from .surplus import (
    GridMeter,
    HomeBattery,
    OffGridConfig,
    OffGridEstimator,
    OffGridReading,
    Smoother,
    busy_consumers,
    grid_surplus,
)

# The worker's states in which it draws its power, and those in which it takes tasks.
DRAWING: Final = frozenset({"starting", "running", "draining"})
RUNNING: Final = frozenset({"starting", "running"})


def pi_cpu_load(state: BridgeState | None) -> float | None:
    """The Pi's CPU load without the worker (%), ``host.background_cpu_percent`` of the bridge's
    state; None while unread, or on a system that does not expose it."""
    if state is None or state.host is None:
        return None
    return state.host.background_cpu_percent


def _number(
    hass: HomeAssistant,
    entity_id: str | None,
    converter: type[BaseUnitConverter] | None = None,
    unit: str | None = None,
) -> float | None:
    """An entity's numeric state (in ``unit`` when a converter is given); None when unread."""
    if entity_id is None or (state := hass.states.get(entity_id)) is None:
        return None
    try:
        value = float(state.state)
    except ValueError:
        return None
    if converter is None or unit is None:
        return value
    native = state.attributes.get("unit_of_measurement") or unit
    if native not in converter.VALID_UNITS:
        return None
    return converter.convert(value, native, unit)


def _watts(hass: HomeAssistant, entity_id: str | None) -> float | None:
    return _number(hass, entity_id, PowerConverter, UnitOfPower.WATT)


def device_state(entity_id: str, state: State | None) -> DeviceState:
    """An entity's state as the idle rules read it (a missing entity is unavailable)."""
    if state is None:
        return DeviceState(entity_id, "unavailable")
    attributes = state.attributes
    return DeviceState(
        entity_id,
        state.state,
        attributes.get("device_class"),
        attributes.get("unit_of_measurement"),
        attributes.get("hvac_action"),
    )


def idle_entity_ids(hass: HomeAssistant, settings: AutoSettings) -> tuple[str, ...]:
    """The entities chosen, and those that speak for the devices chosen (never ours: the worker
    would keep itself from computing)."""
    registry = er.async_get(hass)
    chosen = set(settings.idle_entities)
    for device_id in settings.idle_devices:
        for entry in er.async_entries_for_device(registry, device_id):
            if entry.disabled_by or entry.entity_category or entry.platform == DOMAIN:
                continue
            power = (entry.device_class or entry.original_device_class) == "power"
            if entry.domain in DEVICE_DOMAINS or (entry.domain == "sensor" and power):
                chosen.add(entry.entity_id)
    return tuple(sorted(chosen))


@dataclass(frozen=True)
class Seen:
    """An observation and what the window's entities show of it."""

    observation: Observation
    surplus_w: float | None  # smoothed; None while the source is unread
    idle: IdleReport


@dataclass(frozen=True)
class _Estimate:
    """The surplus source's reading."""

    surplus_w: float | None
    home_use_w: float | None = (
        None  # the home's draw without the worker: a forecast covers it first
    )
    battery_soc: float | None = None
    carry_hours: float | None = None
    probe: bool = False


class Observer:
    """Reads one entry's home and bridge into observations, in time order."""

    def __init__(
        self,
        hass: HomeAssistant,
        settings: AutoSettings,
        device: BridgeDevice,
        saved: Mapping[str, Any],
    ) -> None:
        self.hass = hass
        self.settings = settings
        self._smoother = Smoother(
            settings.smoothing_s, saved.get("surplus_w"), saved.get("surplus_time")
        )
        battery = device.battery
        self._estimator = OffGridEstimator(
            OffGridConfig(
                capacity_wh=battery.nominal_voltage * battery.capacity_ah,
                reserve_soc=settings.policy.battery_reserve_soc,
            ),
            saved.get("failed_probe_at"),
        )
        self._task_started: float | None = saved.get("task_started")
        self.idle_entities = idle_entity_ids(hass, settings)

    def to_dict(self) -> dict[str, Any]:
        """What a restart must keep, as plain JSON-able data."""
        return {
            "surplus_w": self._smoother.value,
            "surplus_time": self._smoother.time,
            "failed_probe_at": self._estimator.failed_probe_at,
            "task_started": self._task_started,
        }

    def tracked(self) -> tuple[str, ...]:
        """The entities whose changes change the observation."""
        s = self.settings
        meters = [s.home_battery_soc, s.home_battery_power, s.forecast]
        if s.source is Source.GRID:
            meters.append(s.grid_power)
        elif s.source is Source.METERS:
            meters += [s.production_power, s.consumption_power]
        chosen = {*self.idle_entities, *s.priority_consumers}
        return tuple(sorted(chosen | {m for m in meters if m is not None}))

    def observe(self, now: float, bridge: BridgeState | None) -> Seen:
        """The observation at ``now`` (seconds since the epoch); ``bridge`` None while unread."""
        s = self.settings
        drawing = bridge is not None and bridge.worker.state in DRAWING
        estimate = self._estimate(now, bridge, s.policy.worker_watts if drawing else 0.0)
        surplus = None
        if estimate.surplus_w is not None:
            surplus = self._smoother.update(now, estimate.surplus_w)
        idle = report(
            self._states(self.idle_entities), s.idle_power_w, pi_cpu_load(bridge), s.pi_cpu_percent
        )
        consumers = busy_consumers(in_use(self._states(s.priority_consumers), s.idle_power_w))
        observation = Observation(
            time=now,
            # Unread meters show no surplus: nothing starts on a reading nobody made.
            surplus_w=0.0 if surplus is None else surplus,
            worker_running=bridge is not None and bridge.worker.state in RUNNING,
            task_started=self._task(now, bridge),
            busy=idle.busy + consumers,
            battery_soc=estimate.battery_soc,
            carry_hours=estimate.carry_hours,
            forecast_wh=self._forecast_wh(estimate.home_use_w),
            probe=estimate.probe,
        )
        return Seen(observation, surplus, idle)

    def _states(self, entity_ids: Iterable[str]) -> list[DeviceState]:
        return [device_state(e, self.hass.states.get(e)) for e in entity_ids]

    def _task(self, now: float, bridge: BridgeState | None) -> float | None:
        """When the task in flight started, as first seen (the bridge does not say)."""
        if bridge is not None:
            running = bridge.worker.tasks_running > 0
            self._task_started = (self._task_started or now) if running else None
        return self._task_started

    def _estimate(self, now: float, bridge: BridgeState | None, worker_w: float) -> _Estimate:
        if self.settings.source is Source.OFF_GRID:
            return self._off_grid(now, bridge, worker_w)
        return self._grid_tied(worker_w)

    def _home_battery(self) -> HomeBattery | None:
        s = self.settings
        soc = _number(self.hass, s.home_battery_soc)
        if soc is None:
            return None
        charge = _watts(self.hass, s.home_battery_power) or 0.0
        return HomeBattery(soc, charge, s.max_charge_w, s.priority_soc)

    def _grid_tied(self, worker_w: float) -> _Estimate:
        s, hass = self.settings, self.hass
        battery = self._home_battery()
        soc = None if battery is None else battery.soc
        consumption = None
        if s.source is Source.GRID:
            meter = GridMeter(grid_w=_watts(hass, s.grid_power), export_positive=s.export_positive)
            readable = meter.grid_w is not None
        else:
            consumption = _watts(hass, s.consumption_power)
            meter = GridMeter(
                production_w=_watts(hass, s.production_power), consumption_w=consumption
            )
            readable = None not in (meter.production_w, consumption)
        if not readable:
            return _Estimate(None, battery_soc=soc)
        home_use = None if consumption is None else max(0.0, consumption - worker_w)
        return _Estimate(grid_surplus(meter, worker_w, battery), home_use, soc)

    def _off_grid(self, now: float, bridge: BridgeState | None, worker_w: float) -> _Estimate:
        if bridge is None or bridge.battery is None or bridge.solar is None:
            return _Estimate(None)
        soc, battery_w, panel_w = bridge.battery.soc, bridge.battery.power, bridge.solar.power
        if soc is None or battery_w is None:
            return _Estimate(None)
        load_w = panel_w - battery_w  # what the Pi draws, its converters' losses included
        reading = OffGridReading(now, soc, battery_w, panel_w, load_w, worker_w)
        estimate = self._estimator.estimate(reading, self.settings.policy.worker_watts)
        return _Estimate(
            estimate.surplus_w,
            home_use_w=max(0.0, load_w - worker_w),
            battery_soc=soc,
            carry_hours=estimate.carry_hours,
            probe=estimate.probe,
        )

    def _forecast_wh(self, home_use_w: float | None) -> float | None:
        """The surplus energy the forecast promises over a task: the next hour's production
        (forecast.solar's or Solcast's "next hour"), less the home's present use, per hour."""
        next_hour = _number(
            self.hass, self.settings.forecast, EnergyConverter, UnitOfEnergy.WATT_HOUR
        )
        if next_hour is None:
            return None
        return max(0.0, next_hour - (home_use_w or 0.0)) * self.settings.policy.task_hours
