"""The Witty Pi's low-voltage cut as a number: the voltage below which it cuts the power."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import EntityCategory, UnitOfElectricPotential
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import PEWCoordinator
from .entity import (
    LOW_VOLTAGE_CUT_RANGE,
    WITTY_PI_CHIP,
    PEWEntity,
    PEWEntityDescription,
    add_entities,
    cut_in_force,
)
from .helpers import bridge_command
from .runtime_data import PEWConfigEntry

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class PEWNumberDescription(PEWEntityDescription, NumberEntityDescription):
    """A number: its value, and the command that sets it."""

    value_fn: Callable[[PEWCoordinator], float | None]
    set_fn: Callable[[PEWCoordinator, float], Awaitable[object]]


async def _set_cut(coordinator: PEWCoordinator, value: float) -> None:
    """A cut in force moves; while the cut is off, the value waits for the switch."""
    if cut_in_force(coordinator.data) is None:
        coordinator.low_voltage_cut = round(value, 1)
        coordinator.async_update_listeners()
    else:
        await coordinator.client.set_low_voltage(round(value, 1))


NUMBERS: tuple[PEWNumberDescription, ...] = (
    # The cut in force; while it is off, the one the "Low-voltage cut" switch turns on.
    PEWNumberDescription(
        key="low_voltage_threshold",
        translation_key="low_voltage_threshold",
        part=WITTY_PI_CHIP.part,
        device_class=NumberDeviceClass.VOLTAGE,
        native_unit_of_measurement=UnitOfElectricPotential.VOLT,
        native_min_value=LOW_VOLTAGE_CUT_RANGE[0],
        native_max_value=LOW_VOLTAGE_CUT_RANGE[1],
        native_step=0.1,
        mode=NumberMode.BOX,
        entity_category=EntityCategory.CONFIG,
        exists_fn=WITTY_PI_CHIP.present,
        available_fn=WITTY_PI_CHIP.present,
        value_fn=lambda coordinator: coordinator.low_voltage_cut,
        set_fn=_set_cut,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PEWConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    add_entities(entry, async_add_entities, PEWNumber, NUMBERS)


class PEWNumber(PEWEntity, NumberEntity):
    """A setting of the bridge as a number."""

    entity_description: PEWNumberDescription

    @property
    def native_value(self) -> float | None:
        return self.entity_description.value_fn(self.coordinator)

    @bridge_command
    async def async_set_native_value(self, value: float) -> None:
        await self.entity_description.set_fn(self.coordinator, value)
        await self.coordinator.async_request_refresh()
