"""Sensors: battery, solar panel, Witty Pi, worker and energy, as descriptions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    EntityCategory,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfEnergy,
    UnitOfInformation,
    UnitOfPower,
    UnitOfTemperature,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .coordinator import PEWConfigEntry
from .entity import BATTERY, PI, SOLAR, WITTY_PI, WORKER, PEWEntity

PARALLEL_UPDATES = 0  # push-fed: nothing to throttle
WORKER_STATES = ["not_created", "starting", "running", "draining", "stopped", "error"]
POWER_SOURCES = ["dc_input", "usb_c", "battery"]


@dataclass(frozen=True, kw_only=True)
class PEWSensorDescription(SensorEntityDescription):
    """A sensor: which part of the bridge, which field of the state."""

    part: str
    section: str
    field: str
    convert: Callable[[Any], Any] = lambda value: value


def _timestamp(value: str | None) -> datetime | None:
    return dt_util.parse_datetime(value) if value else None


def _measure(part: str, section: str, field: str, **kwargs: Any) -> PEWSensorDescription:
    return PEWSensorDescription(
        key=f"{section}_{field}" if section != part else field,
        translation_key=f"{section}_{field}" if section != part else field,
        part=part,
        section=section,
        field=field,
        state_class=SensorStateClass.MEASUREMENT,
        **kwargs,
    )


# Electrical quantities: device class, unit and display precision.
ELECTRICAL: dict[str, tuple[SensorDeviceClass, str, int]] = {
    "volts": (SensorDeviceClass.VOLTAGE, UnitOfElectricPotential.VOLT, 2),
    "amps": (SensorDeviceClass.CURRENT, UnitOfElectricCurrent.AMPERE, 2),
    "watts": (SensorDeviceClass.POWER, UnitOfPower.WATT, 1),
}


def _electrical(kind: str, part: str, field: str, **kwargs: Any) -> PEWSensorDescription:
    device_class, unit, precision = ELECTRICAL[kind]
    return _measure(
        part,
        part,
        field,
        device_class=device_class,
        native_unit_of_measurement=unit,
        suggested_display_precision=precision,
        **kwargs,
    )


def _energy(part: str, field: str) -> PEWSensorDescription:
    """A counter the Energy dashboard accepts: Wh, total increasing."""
    return PEWSensorDescription(
        key=f"energy_{field}",
        translation_key=f"energy_{field}",
        part=part,
        section="energy",
        field=field,
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfEnergy.WATT_HOUR,
        suggested_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=3,
    )


def _value(part: str, field: str, key: str | None = None, **kwargs: Any) -> PEWSensorDescription:
    """A field of one part's section of the state (the section is named like the part)."""
    key = key or field
    kwargs.setdefault("translation_key", key)
    return PEWSensorDescription(key=key, part=part, section=part, field=field, **kwargs)


def _worker(field: str, key: str | None = None, **kwargs: Any) -> PEWSensorDescription:
    return _value(WORKER, field, key, **kwargs)


def _witty(field: str, **kwargs: Any) -> PEWSensorDescription:
    return _value(WITTY_PI, field, **kwargs)


DIAGNOSTIC: dict[str, Any] = {
    "entity_category": EntityCategory.DIAGNOSTIC,
    "entity_registry_enabled_default": False,
}

SENSORS: tuple[PEWSensorDescription, ...] = (
    _measure(
        BATTERY,
        BATTERY,
        "soc",
        device_class=SensorDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        suggested_display_precision=0,
    ),
    _electrical("volts", BATTERY, "voltage"),
    _electrical("amps", BATTERY, "current", **DIAGNOSTIC),
    _electrical("watts", BATTERY, "power"),
    _energy(BATTERY, "battery_charged"),
    _energy(BATTERY, "battery_discharged"),
    _electrical("volts", SOLAR, "voltage", **DIAGNOSTIC),
    _electrical("amps", SOLAR, "current", **DIAGNOSTIC),
    _electrical("watts", SOLAR, "power"),
    _energy(SOLAR, "solar_harvested"),
    _energy(PI, "consumed"),
    _electrical("volts", WITTY_PI, "input_voltage"),
    _electrical("volts", WITTY_PI, "output_voltage", **DIAGNOSTIC),
    _electrical("amps", WITTY_PI, "output_current", **DIAGNOSTIC),
    _measure(
        WITTY_PI,
        "witty_pi",
        "temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        suggested_display_precision=1,
    ),
    _witty(
        "power_source",
        device_class=SensorDeviceClass.ENUM,
        options=POWER_SOURCES,
        entity_category=EntityCategory.DIAGNOSTIC,
    ),
    _witty("next_startup", device_class=SensorDeviceClass.TIMESTAMP, convert=_timestamp),
    _witty("next_shutdown", device_class=SensorDeviceClass.TIMESTAMP, convert=_timestamp),
    _worker(
        "state",
        translation_key="worker_state",
        device_class=SensorDeviceClass.ENUM,
        options=WORKER_STATES,
    ),
    _worker("tasks_running", state_class=SensorStateClass.MEASUREMENT),
    _worker("tasks_completed", state_class=SensorStateClass.TOTAL_INCREASING),
    _worker(
        "cpu_percent",
        native_unit_of_measurement=PERCENTAGE,
        suggested_display_precision=0,
        state_class=SensorStateClass.MEASUREMENT,
        **DIAGNOSTIC,
    ),
    _worker(
        "memory_bytes",
        key="memory",
        device_class=SensorDeviceClass.DATA_SIZE,
        native_unit_of_measurement=UnitOfInformation.BYTES,
        suggested_unit_of_measurement=UnitOfInformation.MEBIBYTES,
        suggested_display_precision=0,
        state_class=SensorStateClass.MEASUREMENT,
        **DIAGNOSTIC,
    ),
)


# Unique-id endings of the entities that ship disabled: the options can turn them on together.
OPTIONAL = tuple(
    f"_{d.part}_{d.key}" for d in SENSORS if d.entity_registry_enabled_default is False
)


def set_optional_entities(hass: HomeAssistant, entry: PEWConfigEntry, *, enabled: bool) -> None:
    """Turn the optional (diagnostic) entities on or off together."""
    registry = er.async_get(hass)
    for item in er.async_entries_for_config_entry(registry, entry.entry_id):
        if not item.unique_id.endswith(OPTIONAL):
            continue
        if enabled and item.disabled_by is er.RegistryEntryDisabler.INTEGRATION:
            registry.async_update_entity(item.entity_id, disabled_by=None)
        elif not enabled and item.disabled_by is None:
            registry.async_update_entity(
                item.entity_id, disabled_by=er.RegistryEntryDisabler.INTEGRATION
            )


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PEWConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Sensors for the parts this bridge has."""
    coordinator = entry.runtime_data.coordinator
    state = coordinator.data
    async_add_entities(
        PEWSensor(coordinator, description, description.part)
        for description in SENSORS
        if description.section in ("energy", "worker") or state.get(description.section)
    )


class PEWSensor(PEWEntity, SensorEntity):
    """One value of the bridge's state."""

    entity_description: PEWSensorDescription

    @property
    def _section(self) -> dict[str, Any] | None:
        section: dict[str, Any] | None = self.coordinator.data.get(self.entity_description.section)
        return section

    @property
    def available(self) -> bool:
        # A chip that stopped answering leaves its section empty: its sensors go unavailable.
        return super().available and self._section is not None

    @property
    def native_value(self) -> Any:
        section = self._section
        if section is None:
            return None
        description = self.entity_description
        return description.convert(section.get(description.field))
