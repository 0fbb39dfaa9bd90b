"""Binary sensors of the compute window: solar surplus, the window itself, home devices idle.

Each description also names the device triggers its turning on and off fire and the device
condition that it is on (``device_trigger.py``, ``device_condition.py`` read them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import CONF_DEVICE_ID, CONF_DOMAIN, CONF_ENTITY_ID, CONF_TYPE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .compute_window import WindowState
from .const import DOMAIN
from .coordinator import PEWConfigEntry
from .entity import (
    PI,
    WORKER,
    PEWWindowEntity,
    PEWWindowEntityDescription,
)

PARALLEL_UPDATES = 0  # written by the window: nothing to throttle


@dataclass(frozen=True, kw_only=True)
class PEWWindowBinarySensorDescription(PEWWindowEntityDescription, BinarySensorEntityDescription):
    """A binary sensor of the window, and the device automations it offers."""

    is_on_fn: Callable[[WindowState], bool]
    attributes_fn: Callable[[WindowState], dict[str, Any]] = lambda window: {}
    turned_on: str  # device trigger types
    turned_off: str
    is_on: str  # device condition type


WINDOW_BINARY_SENSORS: tuple[PEWWindowBinarySensorDescription, ...] = (
    PEWWindowBinarySensorDescription(
        key="solar_surplus",
        translation_key="solar_surplus",
        part=PI,
        device_class=BinarySensorDeviceClass.POWER,
        is_on_fn=lambda window: window.surplus,
        turned_on="surplus_started",
        turned_off="surplus_ended",
        is_on="is_surplus",
    ),
    PEWWindowBinarySensorDescription(
        key="compute_window",
        translation_key="compute_window",
        part=WORKER,
        is_on_fn=lambda window: window.decision.run,
        attributes_fn=lambda window: {
            "reason": window.decision.reason.value,
            "detail": window.decision.detail,
        },
        turned_on="window_opened",
        turned_off="window_closed",
        is_on="is_window_open",
    ),
    PEWWindowBinarySensorDescription(
        key="devices_idle",
        translation_key="devices_idle",
        part=PI,
        is_on_fn=lambda window: window.idle.idle,
        # What keeps the home busy; what said nothing (unavailable, unknown) counts as idle.
        attributes_fn=lambda window: {
            "busy": list(window.idle.busy),
            "unknown": list(window.idle.unknown),
        },
        turned_on="devices_idle",
        turned_off="devices_busy",
        is_on="is_devices_idle",
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PEWConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    window = entry.runtime_data.window
    async_add_entities(
        PEWWindowBinarySensor(window, description) for description in WINDOW_BINARY_SENSORS
    )


class PEWWindowBinarySensor(PEWWindowEntity, BinarySensorEntity):
    """One view of the compute window as on or off."""

    entity_description: PEWWindowBinarySensorDescription

    @property
    def is_on(self) -> bool:
        return self.entity_description.is_on_fn(self.window.state)

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        return self.entity_description.attributes_fn(self.window.state)


def device_automations(
    hass: HomeAssistant,
    device_id: str,
    kind: dict[str, str],
    types: Callable[[PEWWindowBinarySensorDescription], tuple[str, ...]],
) -> list[dict[str, str]]:
    """The device triggers or conditions (``kind`` says which) of the window's binary sensors
    on a device: one per type its description names."""
    by_key = {d.translation_key: d for d in WINDOW_BINARY_SENSORS}
    return [
        {
            **kind,
            CONF_DEVICE_ID: device_id,
            CONF_DOMAIN: DOMAIN,
            CONF_ENTITY_ID: entry.id,
            CONF_TYPE: automation,
        }
        for entry in er.async_entries_for_device(er.async_get(hass), device_id)
        if entry.platform == DOMAIN
        and entry.domain == Platform.BINARY_SENSOR
        and entry.translation_key in by_key
        for automation in types(by_key[entry.translation_key])
    ]
