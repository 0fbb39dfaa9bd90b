"""The one entity base class: devices, unique ids and availability in one place."""

from __future__ import annotations

from typing import Any

from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import PEWCoordinator

# The sub-devices of a bridge; each hangs off the Pi (via_device).
PI, WITTY_PI, BATTERY, SOLAR, WORKER = "pi", "witty_pi", "battery", "solar", "worker"


def device_info(device: dict[str, Any], part: str) -> DeviceInfo:
    """The device registry entry of one part of a bridge."""
    device_id = device["device_id"]
    if part == PI:
        return DeviceInfo(
            identifiers={(DOMAIN, device_id)},
            translation_key=PI,
            manufacturer="Raspberry Pi",
            model=device["model"],
            sw_version=device["bridge_version"],
            serial_number=device_id,
        )
    info = DeviceInfo(
        identifiers={(DOMAIN, f"{device_id}_{part}")},
        translation_key=part,
        via_device=(DOMAIN, device_id),
    )
    if part == WITTY_PI and (witty := device.get("witty_pi")):
        info["manufacturer"] = "UUGear"
        info["model"] = witty["model"] or f"firmware id 0x{witty['firmware_id']:02x}"
        info["sw_version"] = f"firmware revision {witty['firmware_revision']}"
    elif part == BATTERY:
        battery = device["battery"]
        info["model"] = (
            f"{battery['chemistry']} {battery['nominal_voltage']:g} V {battery['capacity_ah']:g} Ah"
        )
    elif part == WORKER:
        info["manufacturer"] = "iExec"
        info["model"] = device["worker_image"]
    return info


class PEWEntity(CoordinatorEntity[PEWCoordinator]):
    """An entity of one part of a bridge."""

    _attr_has_entity_name = True

    def __init__(
        self, coordinator: PEWCoordinator, description: EntityDescription, part: str
    ) -> None:
        super().__init__(coordinator)
        self.entity_description = description
        device = coordinator.config_entry.runtime_data.device
        self._attr_unique_id = f"{device['device_id']}_{part}_{description.key}"
        self._attr_device_info = device_info(device, part)
