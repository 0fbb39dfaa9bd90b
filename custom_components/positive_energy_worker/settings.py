"""The auto mode's options: one name, one default and one range each. Pure Python.

The options flow builds its forms from these tables and the runtime reads the options through
``AutoSettings.from_options``, so a knob is named, bounded and defaulted in one place. The
policy's knobs carry the names of ``PolicyConfig``'s fields and its defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from .policy import PolicyConfig
from .surplus import HomeBattery


class Source(StrEnum):
    """Where the surplus is read."""

    GRID = "grid"  # a grid power sensor: export and import
    METERS = "meters"  # a production and a consumption sensor
    OFF_GRID = "off_grid"  # the bridge's own panel and battery


@dataclass(frozen=True)
class Knob:
    """A number option: its default, range, step and unit."""

    default: float
    minimum: float
    maximum: float
    step: float
    unit: str


# The options' keys that name entities, devices and choices.
SURPLUS_SOURCE: Final = "surplus_source"
GRID_POWER: Final = "grid_power"
EXPORT_POSITIVE: Final = "export_positive"
PRODUCTION_POWER: Final = "production_power"
CONSUMPTION_POWER: Final = "consumption_power"
HOME_BATTERY_SOC: Final = "home_battery_soc"
HOME_BATTERY_POWER: Final = "home_battery_power"
IDLE_ENTITIES: Final = "idle_entities"
IDLE_DEVICES: Final = "idle_devices"
PRIORITY_CONSUMERS: Final = "priority_consumers"
FORECAST: Final = "forecast"
FORECAST_DAYS: Final = "forecast_days"

# What compute draws on a Pi: the simulation's busy less its idle watts (6.4 - 2.7 W); a real
# Pi 4 under a full load draws about as much more than at rest.
WORKER_WATTS: Final = 3.7

# The number options of each step of the options flow.
SURPLUS_KNOBS: Final = {
    "worker_watts": Knob(WORKER_WATTS, 0.1, 10000.0, 0.1, "W"),
    "smoothing_s": Knob(60.0, 0.0, 3600.0, 1.0, "s"),
}
HOME_BATTERY_KNOBS: Final = {
    "max_charge_w": Knob(3000.0, 0.0, 100000.0, 10.0, "W"),
    "priority_soc": Knob(HomeBattery.priority_soc, 0.0, 100.0, 1.0, "%"),
}
DEVICE_KNOBS: Final = {
    "idle_power_w": Knob(10.0, 0.0, 100000.0, 0.1, "W"),
    "pi_cpu_percent": Knob(50.0, 1.0, 100.0, 1.0, "%"),
}
POLICY_KNOBS: Final = {
    "battery_reserve_soc": Knob(PolicyConfig.battery_reserve_soc, 0.0, 100.0, 1.0, "%"),
    "start_margin_w": Knob(PolicyConfig.start_margin_w, -1000.0, 10000.0, 0.5, "W"),
    "stop_margin_w": Knob(PolicyConfig.stop_margin_w, -1000.0, 10000.0, 0.5, "W"),
    "start_delay_s": Knob(PolicyConfig.start_delay_s, 0.0, 7200.0, 1.0, "s"),
    "stop_delay_s": Knob(PolicyConfig.stop_delay_s, 0.0, 7200.0, 1.0, "s"),
    "min_on_s": Knob(PolicyConfig.min_on_s, 0.0, 86400.0, 1.0, "s"),
    "min_off_s": Knob(PolicyConfig.min_off_s, 0.0, 86400.0, 1.0, "s"),
    "task_hours": Knob(PolicyConfig.task_hours, 0.05, 48.0, 0.05, "h"),
    "ride_wh": Knob(PolicyConfig.ride_wh, 0.0, 10000.0, 0.5, "Wh"),
}


def _number(options: Mapping[str, Any], knobs: Mapping[str, Knob], key: str) -> float:
    return float(options.get(key, knobs[key].default))


def _entity(options: Mapping[str, Any], key: str) -> str | None:
    return options.get(key) or None


def _many(options: Mapping[str, Any], key: str) -> tuple[str, ...]:
    return tuple(options.get(key) or ())


@dataclass(frozen=True)
class AutoSettings:
    """The auto mode's options, read once per config entry load."""

    policy: PolicyConfig
    source: Source = Source.OFF_GRID
    grid_power: str | None = None
    export_positive: bool = False
    production_power: str | None = None
    consumption_power: str | None = None
    smoothing_s: float = SURPLUS_KNOBS["smoothing_s"].default
    home_battery_soc: str | None = None
    home_battery_power: str | None = None
    max_charge_w: float = HOME_BATTERY_KNOBS["max_charge_w"].default
    priority_soc: float = HOME_BATTERY_KNOBS["priority_soc"].default
    idle_entities: tuple[str, ...] = ()
    idle_devices: tuple[str, ...] = ()
    idle_power_w: float = DEVICE_KNOBS["idle_power_w"].default
    pi_cpu_percent: float = DEVICE_KNOBS["pi_cpu_percent"].default
    priority_consumers: tuple[str, ...] = ()
    forecast: str | None = None
    # Off-grid: the panel's energy expected tomorrow and on the days after, in that order.
    forecast_days: tuple[str, ...] = ()

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> AutoSettings:
        """The settings a config entry's options choose; the defaults for the others."""
        policy = PolicyConfig(
            worker_watts=_number(options, SURPLUS_KNOBS, "worker_watts"),
            **{key: _number(options, POLICY_KNOBS, key) for key in POLICY_KNOBS},
        )
        return cls(
            policy=policy,
            source=Source(options.get(SURPLUS_SOURCE, Source.OFF_GRID)),
            grid_power=_entity(options, GRID_POWER),
            export_positive=bool(options.get(EXPORT_POSITIVE, False)),
            production_power=_entity(options, PRODUCTION_POWER),
            consumption_power=_entity(options, CONSUMPTION_POWER),
            smoothing_s=_number(options, SURPLUS_KNOBS, "smoothing_s"),
            home_battery_soc=_entity(options, HOME_BATTERY_SOC),
            home_battery_power=_entity(options, HOME_BATTERY_POWER),
            max_charge_w=_number(options, HOME_BATTERY_KNOBS, "max_charge_w"),
            priority_soc=_number(options, HOME_BATTERY_KNOBS, "priority_soc"),
            idle_entities=_many(options, IDLE_ENTITIES),
            idle_devices=_many(options, IDLE_DEVICES),
            idle_power_w=_number(options, DEVICE_KNOBS, "idle_power_w"),
            pi_cpu_percent=_number(options, DEVICE_KNOBS, "pi_cpu_percent"),
            priority_consumers=_many(options, PRIORITY_CONSUMERS),
            forecast=_entity(options, FORECAST),
            forecast_days=_many(options, FORECAST_DAYS),
        )

    def missing_meters(self) -> str | None:
        """The error key when the chosen source lacks its sensors; None when it has them."""
        if self.source is Source.GRID and self.grid_power is None:
            return "grid_power_needed"
        if self.source is Source.METERS and None in (self.production_power, self.consumption_power):
            return "meters_needed"
        return None
