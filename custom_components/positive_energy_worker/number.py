"""The Witty Pi's low-voltage threshold as a number."""

from __future__ import annotations

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import EntityCategory, UnitOfElectricPotential
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import PEWConfigEntry
from .entity import WITTY_PI, PEWEntity
from .services import call_bridge

PARALLEL_UPDATES = 1

LOW_VOLTAGE = NumberEntityDescription(
    key="low_voltage_threshold",
    translation_key="low_voltage_threshold",
    device_class=NumberDeviceClass.VOLTAGE,
    native_unit_of_measurement=UnitOfElectricPotential.VOLT,
    native_min_value=2.0,
    native_max_value=25.0,
    native_step=0.1,
    mode=NumberMode.BOX,
    entity_category=EntityCategory.CONFIG,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PEWConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    coordinator = entry.runtime_data.coordinator
    if coordinator.data.get("witty_pi") is not None:
        async_add_entities([PEWLowVoltage(coordinator, LOW_VOLTAGE, WITTY_PI)])


class PEWLowVoltage(PEWEntity, NumberEntity):
    """Below this input voltage the Witty Pi cuts the Pi's power (unknown when disabled)."""

    @property
    def available(self) -> bool:
        return super().available and self.coordinator.data.get("witty_pi") is not None

    @property
    def native_value(self) -> float | None:
        witty = self.coordinator.data.get("witty_pi") or {}
        value: float | None = witty.get("low_voltage_threshold")
        return value

    async def async_set_native_value(self, value: float) -> None:
        client = self.coordinator.client
        await call_bridge(client.set_low_voltage(round(value, 1)))
        await self.coordinator.async_request_refresh()
