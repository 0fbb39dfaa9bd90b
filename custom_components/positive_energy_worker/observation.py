"""What the policy sees: the home's entities read, then assembled into an Observation.

The chosen entities' states become ``HomeReadings`` (numbers in W, Wh and %, unit-converted),
the busy devices come from the idle rules (``idle.py``); ``assembly.py`` (pure, and what the
benchmark runs too) makes the observation of them and the bridge's state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.const import UnitOfEnergy, UnitOfPower
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
from homeassistant.util.unit_conversion import BaseUnitConverter, EnergyConverter, PowerConverter

from .assembly import Assembly, HomeReadings, capacity_wh
from .const import DOMAIN
from .idle import DEVICE_DOMAINS, DeviceState, IdleReport, in_use, report
from .models import BridgeDevice, BridgeState
from .policy import Observation
from .settings import AutoSettings, Source
from .sun import Site
from .surplus import busy_consumers


def pi_cpu_load(state: BridgeState | None) -> float | None:
    """The Pi's CPU load without the worker (%), ``host.background_cpu_percent`` of the bridge's
    state; None while unread, or on a system that does not expose it."""
    if state is None or state.host is None:
        return None
    return state.host.background_cpu_percent


def _days_ahead(hass: HomeAssistant, entity_ids: Iterable[str]) -> tuple[float, ...]:
    """The forecast entities' energy (Wh), day by day, up to the first that is unread."""
    days: list[float] = []
    for entity_id in entity_ids:
        wh = _number(hass, entity_id, EnergyConverter, UnitOfEnergy.WATT_HOUR)
        if wh is None:
            break
        days.append(wh)
    return tuple(days)


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


class Observer:
    """Reads one entry's home entities and bridge into observations, in time order."""

    def __init__(
        self,
        hass: HomeAssistant,
        settings: AutoSettings,
        device: BridgeDevice,
        saved: Mapping[str, Any],
    ) -> None:
        self.hass = hass
        self.settings = settings
        site = Site(hass.config.latitude, hass.config.longitude)
        self._assembly = Assembly(settings, capacity_wh(device), saved, site)
        self.idle_entities = idle_entity_ids(hass, settings)

    def to_dict(self) -> dict[str, Any]:
        """What a restart must keep, as plain JSON-able data."""
        return self._assembly.to_dict()

    def tracked(self) -> tuple[str, ...]:
        """The entities whose changes change the observation."""
        s = self.settings
        meters = [s.home_battery_soc, s.home_battery_power, s.forecast, *s.forecast_days]
        if s.source is Source.GRID:
            meters.append(s.grid_power)
        elif s.source is Source.METERS:
            meters += [s.production_power, s.consumption_power]
        chosen = {*self.idle_entities, *s.priority_consumers}
        return tuple(sorted(chosen | {m for m in meters if m is not None}))

    def observe(self, now: float, bridge: BridgeState | None) -> Seen:
        """The observation at ``now`` (seconds since the epoch); ``bridge`` None while unread."""
        s = self.settings
        idle = report(
            self._states(self.idle_entities), s.idle_power_w, pi_cpu_load(bridge), s.pi_cpu_percent
        )
        consumers = busy_consumers(in_use(self._states(s.priority_consumers), s.idle_power_w))
        assembled = self._assembly.assemble(now, self._home(idle.busy + consumers), bridge)
        return Seen(assembled.observation, assembled.surplus_w, idle)

    def _states(self, entity_ids: Iterable[str]) -> list[DeviceState]:
        return [device_state(e, self.hass.states.get(e)) for e in entity_ids]

    def _home(self, busy: tuple[str, ...]) -> HomeReadings:
        """The chosen entities' readings, in W, Wh and %."""
        s, hass = self.settings, self.hass
        return HomeReadings(
            grid_w=_watts(hass, s.grid_power),
            production_w=_watts(hass, s.production_power),
            consumption_w=_watts(hass, s.consumption_power),
            home_battery_soc=_number(hass, s.home_battery_soc),
            home_battery_w=_watts(hass, s.home_battery_power),
            forecast_wh=_number(hass, s.forecast, EnergyConverter, UnitOfEnergy.WATT_HOUR),
            days_ahead_wh=_days_ahead(hass, s.forecast_days),
            busy=busy,
        )
