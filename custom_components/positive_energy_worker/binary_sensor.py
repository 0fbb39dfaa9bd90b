"""Binary sensors: the Pi firmware's under-voltage and throttling flags, as descriptions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .client import BridgeState, Throttling
from .coordinator import PEWConfigEntry
from .entity import PI_HOST, PEWEntity, PEWEntityDescription, add_entities

PARALLEL_UPDATES = 0  # push-fed: nothing to throttle


@dataclass(frozen=True, kw_only=True)
class PEWBinarySensorDescription(PEWEntityDescription, BinarySensorEntityDescription):
    """A binary sensor: which part of the bridge, and whether it is on in the state."""

    is_on_fn: Callable[[BridgeState], bool | None]


def _flag(key: str, read: Callable[[Throttling], bool]) -> PEWBinarySensorDescription:
    """A flag of the Pi's firmware: there on a Pi (whose firmware says), a problem when on."""

    def flag(state: BridgeState) -> bool | None:
        throttling = state.host.throttling if state.host else None
        return None if throttling is None else read(throttling)

    return PEWBinarySensorDescription(
        key=key,
        translation_key=key,
        part=PI_HOST.part,
        device_class=BinarySensorDeviceClass.PROBLEM,
        entity_category=EntityCategory.DIAGNOSTIC,
        is_on_fn=flag,
        exists_fn=PI_HOST.shows(lambda host: host.throttling),
        available_fn=PI_HOST.present,
    )


BINARY_SENSORS: tuple[PEWBinarySensorDescription, ...] = (
    _flag("under_voltage", lambda flags: flags.under_voltage),
    _flag("throttled", lambda flags: flags.throttled),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PEWConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """The flags, on a Pi whose firmware reports them."""
    add_entities(entry, async_add_entities, PEWBinarySensor, BINARY_SENSORS)


class PEWBinarySensor(PEWEntity, BinarySensorEntity):
    """One flag of the bridge's state."""

    entity_description: PEWBinarySensorDescription

    @property
    def is_on(self) -> bool | None:
        return self.entity_description.is_on_fn(self.coordinator.data)
