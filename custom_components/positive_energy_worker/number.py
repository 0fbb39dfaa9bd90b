"""The Witty Pi's low-voltage threshold as a number."""

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

from .client import BridgeClient, BridgeState
from .coordinator import PEWConfigEntry
from .entity import WITTY_PI_CHIP, PEWEntity, PEWEntityDescription, add_entities
from .helpers import bridge_command

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class PEWNumberDescription(PEWEntityDescription, NumberEntityDescription):
    """A number: its value in the state, and the command that sets it."""

    value_fn: Callable[[BridgeState], float | None]
    set_fn: Callable[[BridgeClient, float], Awaitable[object]]


NUMBERS: tuple[PEWNumberDescription, ...] = (
    # Below this input voltage the Witty Pi cuts the Pi's power (unknown when disabled).
    PEWNumberDescription(
        key="low_voltage_threshold",
        translation_key="low_voltage_threshold",
        part=WITTY_PI_CHIP.part,
        device_class=NumberDeviceClass.VOLTAGE,
        native_unit_of_measurement=UnitOfElectricPotential.VOLT,
        native_min_value=2.0,
        native_max_value=25.0,
        native_step=0.1,
        mode=NumberMode.BOX,
        entity_category=EntityCategory.CONFIG,
        exists_fn=WITTY_PI_CHIP.present,
        available_fn=WITTY_PI_CHIP.present,
        value_fn=WITTY_PI_CHIP.reading(lambda witty: witty.low_voltage_threshold),
        set_fn=lambda client, value: client.set_low_voltage(round(value, 1)),
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
        return self.entity_description.value_fn(self.coordinator.data)

    @bridge_command
    async def async_set_native_value(self, value: float) -> None:
        await self.entity_description.set_fn(self.coordinator.client, value)
        await self.coordinator.async_request_refresh()
