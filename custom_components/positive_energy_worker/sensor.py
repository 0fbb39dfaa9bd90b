"""Sensors: battery, solar panel, Witty Pi, the Pi itself, worker and energy, and the compute
window's surplus, as descriptions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

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
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .chain_entity import ChainEntity, ChainEntityDescription, ChainView
from .compute_window import WindowState
from .entity import (
    BATTERY,
    BATTERY_CHIP,
    PI,
    PI_HOST,
    SOLAR,
    SOLAR_CHIP,
    WITTY_PI_CHIP,
    WORKER,
    ChipPart,
    PEWEntity,
    PEWEntityDescription,
    PEWWindowEntity,
    PEWWindowEntityDescription,
    add_entities,
)
from .models import BridgeState, Host, WorkerState
from .runtime_data import PEWConfigEntry

PARALLEL_UPDATES = 0  # push-fed: nothing to throttle
POWER_SOURCES = ["dc_input", "usb_c", "battery"]

_Part = TypeVar("_Part")
Value = StateType | datetime


@dataclass(frozen=True, kw_only=True)
class PEWSensorDescription(PEWEntityDescription, SensorEntityDescription):
    """A sensor: which part of the bridge, and its value in the state."""

    value_fn: Callable[[BridgeState], Value]


def _sensor(
    part: str, key: str, value_fn: Callable[[BridgeState], Value], **kwargs: Any
) -> PEWSensorDescription:
    """A value every bridge has (a counter, the worker's)."""
    kwargs.setdefault("translation_key", key)
    return PEWSensorDescription(key=key, part=part, value_fn=value_fn, **kwargs)


def _chip(
    chip: ChipPart[_Part], key: str, read: Callable[[_Part], Value], **kwargs: Any
) -> PEWSensorDescription:
    """A reading of a part that a chip measures: there if the chip answered at setup,
    unavailable while it does not answer."""
    return _sensor(
        chip.part,
        key,
        chip.reading(read),
        exists_fn=chip.present,
        available_fn=chip.present,
        **kwargs,
    )


def _host(key: str, read: Callable[[Host], Value], **kwargs: Any) -> PEWSensorDescription:
    """A figure of the Pi itself: there if its system showed it at setup (not every system has
    a thermal zone), unavailable while the bridge cannot read the host."""
    return _sensor(
        PI,
        key,
        PI_HOST.reading(read),
        exists_fn=PI_HOST.shows(read),
        available_fn=PI_HOST.present,
        **kwargs,
    )


CELSIUS: dict[str, Any] = {
    "device_class": SensorDeviceClass.TEMPERATURE,
    "native_unit_of_measurement": UnitOfTemperature.CELSIUS,
    "suggested_display_precision": 1,
    "state_class": SensorStateClass.MEASUREMENT,
}
CPU_LOAD: dict[str, Any] = {
    "native_unit_of_measurement": PERCENTAGE,
    "suggested_display_precision": 0,
    "state_class": SensorStateClass.MEASUREMENT,
}

# Electrical quantities: device class, unit and display precision.
VOLTS = (SensorDeviceClass.VOLTAGE, UnitOfElectricPotential.VOLT, 2)
AMPS = (SensorDeviceClass.CURRENT, UnitOfElectricCurrent.AMPERE, 2)
WATTS = (SensorDeviceClass.POWER, UnitOfPower.WATT, 1)


def _electrical(
    kind: tuple[SensorDeviceClass, str, int],
    chip: ChipPart[_Part],
    key: str,
    read: Callable[[_Part], float | None],
    **kwargs: Any,
) -> PEWSensorDescription:
    device_class, unit, precision = kind
    return _chip(
        chip,
        key,
        read,
        device_class=device_class,
        native_unit_of_measurement=unit,
        suggested_display_precision=precision,
        state_class=SensorStateClass.MEASUREMENT,
        **kwargs,
    )


def _energy(
    part: str, counter: str, value_fn: Callable[[BridgeState], float]
) -> PEWSensorDescription:
    """A counter the Energy dashboard accepts: Wh, total increasing (kept while a chip is out)."""
    return _sensor(
        part,
        f"energy_{counter}",
        value_fn,
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfEnergy.WATT_HOUR,
        suggested_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=3,
    )


DIAGNOSTIC: dict[str, Any] = {
    "entity_category": EntityCategory.DIAGNOSTIC,
    "entity_registry_enabled_default": False,
}

SENSORS: tuple[PEWSensorDescription, ...] = (
    _chip(
        BATTERY_CHIP,
        "soc",
        lambda battery: battery.soc,
        device_class=SensorDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        suggested_display_precision=0,
        state_class=SensorStateClass.MEASUREMENT,
    ),
    _electrical(VOLTS, BATTERY_CHIP, "voltage", lambda battery: battery.voltage),
    _electrical(AMPS, BATTERY_CHIP, "current", lambda battery: battery.current, **DIAGNOSTIC),
    _electrical(WATTS, BATTERY_CHIP, "power", lambda battery: battery.power),
    _energy(BATTERY, "battery_charged", lambda state: state.energy.battery_charged),
    _energy(BATTERY, "battery_discharged", lambda state: state.energy.battery_discharged),
    _electrical(VOLTS, SOLAR_CHIP, "voltage", lambda solar: solar.voltage, **DIAGNOSTIC),
    _electrical(AMPS, SOLAR_CHIP, "current", lambda solar: solar.current, **DIAGNOSTIC),
    _electrical(WATTS, SOLAR_CHIP, "power", lambda solar: solar.power),
    _energy(SOLAR, "solar_harvested", lambda state: state.energy.solar_harvested),
    _energy(PI, "consumed", lambda state: state.energy.consumed),
    _electrical(VOLTS, WITTY_PI_CHIP, "input_voltage", lambda witty: witty.input_voltage),
    _electrical(
        VOLTS, WITTY_PI_CHIP, "output_voltage", lambda witty: witty.output_voltage, **DIAGNOSTIC
    ),
    _electrical(
        AMPS, WITTY_PI_CHIP, "output_current", lambda witty: witty.output_current, **DIAGNOSTIC
    ),
    _chip(
        WITTY_PI_CHIP,
        "temperature",
        lambda witty: witty.temperature,
        **CELSIUS,
    ),
    _chip(
        WITTY_PI_CHIP,
        "power_source",
        lambda witty: witty.power_source,
        device_class=SensorDeviceClass.ENUM,
        options=POWER_SOURCES,
        entity_category=EntityCategory.DIAGNOSTIC,
    ),
    _chip(
        WITTY_PI_CHIP,
        "next_startup",
        lambda witty: witty.next_startup,
        device_class=SensorDeviceClass.TIMESTAMP,
    ),
    _chip(
        WITTY_PI_CHIP,
        "next_shutdown",
        lambda witty: witty.next_shutdown,
        device_class=SensorDeviceClass.TIMESTAMP,
    ),
    _host(
        "soc_temperature",
        lambda host: host.soc_temperature,
        **CELSIUS,
    ),
    _host(
        "cpu_percent",
        lambda host: host.cpu_percent,
        translation_key="cpu_load",
        entity_category=EntityCategory.DIAGNOSTIC,
        **CPU_LOAD,
    ),
    _host(
        "background_cpu_percent",
        lambda host: host.background_cpu_percent,
        **CPU_LOAD,
        **DIAGNOSTIC,
    ),
    _host(
        "memory_used_percent",
        lambda host: host.memory_used_percent,
        native_unit_of_measurement=PERCENTAGE,
        suggested_display_precision=0,
        state_class=SensorStateClass.MEASUREMENT,
        **DIAGNOSTIC,
    ),
    _host(
        "free_disk_bytes",
        lambda host: host.free_disk_bytes,
        translation_key="free_disk",
        device_class=SensorDeviceClass.DATA_SIZE,
        native_unit_of_measurement=UnitOfInformation.BYTES,
        suggested_unit_of_measurement=UnitOfInformation.GIGABYTES,
        suggested_display_precision=1,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
    ),
    _sensor(
        WORKER,
        "state",
        lambda state: state.worker.state,
        translation_key="worker_state",
        device_class=SensorDeviceClass.ENUM,
        options=[state.value for state in WorkerState],
    ),
    _sensor(
        WORKER,
        "tasks_running",
        lambda state: state.worker.tasks_running,
        state_class=SensorStateClass.MEASUREMENT,
    ),
    _sensor(
        WORKER,
        "tasks_completed",
        lambda state: state.worker.tasks_completed,
        state_class=SensorStateClass.TOTAL_INCREASING,
    ),
    _sensor(
        WORKER,
        "cpu_percent",
        lambda state: state.worker.cpu_percent,
        **CPU_LOAD,
        **DIAGNOSTIC,
    ),
    _sensor(
        WORKER,
        "memory",
        lambda state: state.worker.memory_bytes,
        device_class=SensorDeviceClass.DATA_SIZE,
        native_unit_of_measurement=UnitOfInformation.BYTES,
        suggested_unit_of_measurement=UnitOfInformation.MEBIBYTES,
        suggested_display_precision=0,
        state_class=SensorStateClass.MEASUREMENT,
        **DIAGNOSTIC,
    ),
)


@dataclass(frozen=True, kw_only=True)
class PEWWindowSensorDescription(PEWWindowEntityDescription, SensorEntityDescription):
    """A sensor of the compute window."""

    value_fn: Callable[[WindowState], float | None]


WINDOW_SENSORS: tuple[PEWWindowSensorDescription, ...] = (
    # The power compute may use, smoothed, the worker's own draw included (unknown while the
    # surplus source is unread).
    PEWWindowSensorDescription(
        key="surplus",
        translation_key="surplus",
        part=PI,
        value_fn=lambda window: window.surplus_w,
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.WATT,
        suggested_display_precision=1,
        state_class=SensorStateClass.MEASUREMENT,
    ),
)


@dataclass(frozen=True, kw_only=True)
class ChainSensorDescription(ChainEntityDescription, SensorEntityDescription):
    """A sensor of the worker's economics."""

    value_fn: Callable[[ChainView], float | int | None]


def _rlc(key: str, value_fn: Callable[[ChainView], int], **kwargs: Any) -> ChainSensorDescription:
    """An amount of RLC (read in nRLC): shown to 4 decimals, a hundredth of a cent's worth."""
    kwargs.setdefault("state_class", SensorStateClass.TOTAL_INCREASING)
    return ChainSensorDescription(
        key=key,
        translation_key=key,
        value_fn=lambda view: view.rlc(value_fn(view)),
        native_unit_of_measurement="RLC",
        suggested_display_precision=4,
        **kwargs,
    )


def _measured(
    key: str,
    value_fn: Callable[[ChainView], float | None],
    unit: str | None,
    precision: int,
    **kwargs: Any,
) -> ChainSensorDescription:
    return ChainSensorDescription(
        key=key,
        translation_key=key,
        value_fn=value_fn,
        native_unit_of_measurement=unit,
        suggested_display_precision=precision,
        state_class=SensorStateClass.MEASUREMENT,
        **kwargs,
    )


CHAIN_SENSORS: tuple[ChainSensorDescription, ...] = (
    _rlc(
        "rlc_balance",
        lambda view: view.state.balances.rlc,
        state_class=SensorStateClass.MEASUREMENT,
    ),
    _rlc(
        "escrow_balance",
        lambda view: view.state.balances.escrow,
        state_class=SensorStateClass.MEASUREMENT,
    ),
    _rlc(
        "escrow_locked",
        lambda view: view.state.balances.frozen,
        state_class=SensorStateClass.MEASUREMENT,
    ),
    # Back to zero at midnight: total_increasing takes a fall as a new cycle.
    _rlc("rewards_today", lambda view: view.state.ledger.rewards_on(view.state.today)),
    _rlc("rewards_total", lambda view: view.state.ledger.rewards),
    _rlc("seized_total", lambda view: view.state.ledger.seized),
    ChainSensorDescription(
        key="contributions_total",
        translation_key="contributions_total",
        value_fn=lambda view: view.state.ledger.contributions,
        state_class=SensorStateClass.TOTAL_INCREASING,
    ),
    _measured("native_balance", lambda view: view.state.balances.native / 10**18, "ETH", 5),
    _measured("rlc_per_kwh", lambda view: view.rlc_per_kwh(), "RLC/kWh", 4),
    # Its unit is the tariff's currency per RLC (ChainSensor).
    _measured(
        "break_even_rlc_price",
        lambda view: view.break_even_price(),
        None,
        2,
        exists_fn=lambda coordinator: coordinator.settings.tariff is not None,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PEWConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Sensors for the parts this bridge has, the window's and, with a chain, the worker's
    economics."""
    add_entities(entry, async_add_entities, PEWSensor, SENSORS)
    window = entry.runtime_data.window
    async_add_entities(PEWWindowSensor(window, description) for description in WINDOW_SENSORS)
    if (chain := entry.runtime_data.chain) is not None:
        async_add_entities(
            ChainSensor(chain, description)
            for description in CHAIN_SENSORS
            if description.exists_fn(chain)
        )


class PEWSensor(PEWEntity, SensorEntity):
    """One value of the bridge's state."""

    entity_description: PEWSensorDescription

    @property
    def native_value(self) -> Value:
        return self.entity_description.value_fn(self.coordinator.data)


class PEWWindowSensor(PEWWindowEntity, SensorEntity):
    """One value of the compute window."""

    entity_description: PEWWindowSensorDescription

    @property
    def native_value(self) -> float | None:
        return self.entity_description.value_fn(self.window.state)


class ChainSensor(ChainEntity, SensorEntity):
    """One figure of the worker's economics."""

    entity_description: ChainSensorDescription

    @property
    def native_value(self) -> float | int | None:
        return self.entity_description.value_fn(self.view())

    @property
    def native_unit_of_measurement(self) -> str | None:
        # The break-even price is in the tariff's currency, whatever it is.
        if self.entity_description.key == "break_even_rlc_price":
            return self.view().price_unit() if self.coordinator.data is not None else None
        return super().native_unit_of_measurement
