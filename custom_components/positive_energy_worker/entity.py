"""The one entity base class: devices, unique ids and availability in one place."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final, Generic, TypeVar, cast

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .client import Battery, BridgeDevice, BridgeState, Solar, WittyPi
from .const import DOMAIN, OPTIONAL_ENTITIES
from .coordinator import PEWConfigEntry, PEWCoordinator

# The sub-devices of a bridge; each hangs off the Pi (its via device).
PI, WITTY_PI, BATTERY, SOLAR, WORKER = "pi", "witty_pi", "battery", "solar", "worker"


_Part = TypeVar("_Part")
_Value = TypeVar("_Value")


def always(state: BridgeState) -> bool:
    """For what every bridge has, whatever answers."""
    return True


class ChipPart(Generic[_Part]):
    """A part of the bridge measured by a chip: null in the state while the chip does not answer."""

    def __init__(self, part: str, section: Callable[[BridgeState], _Part | None]) -> None:
        self.part = part
        self._section = section

    def present(self, state: BridgeState) -> bool:
        return self._section(state) is not None

    def reading(self, read: Callable[[_Part], _Value]) -> Callable[[BridgeState], _Value | None]:
        """``read`` of this part of the state; None while the chip does not answer."""

        def value(state: BridgeState) -> _Value | None:
            section = self._section(state)
            return None if section is None else read(section)

        return value


BATTERY_CHIP: Final = ChipPart[Battery](BATTERY, lambda state: state.battery)
SOLAR_CHIP: Final = ChipPart[Solar](SOLAR, lambda state: state.solar)
WITTY_PI_CHIP: Final = ChipPart[WittyPi](WITTY_PI, lambda state: state.witty_pi)


@dataclass(frozen=True, kw_only=True)
class PEWEntityDescription(EntityDescription):
    """An entity of one part of a bridge.

    ``exists_fn`` decides at setup whether the bridge has it (its chip answered);
    ``available_fn`` whether it can be shown now (a chip that stops answering leaves its part of
    the state null).
    """

    part: str
    exists_fn: Callable[[BridgeState], bool] = always
    available_fn: Callable[[BridgeState], bool] = always


def device_info(device: BridgeDevice, part: str, pi_device_id: str | None) -> DeviceInfo:
    """The device registry entry of one part of a bridge, linked to the Pi's (by its id)."""
    if part == PI:
        return DeviceInfo(
            identifiers={(DOMAIN, device.device_id)},
            translation_key=PI,
            manufacturer="Raspberry Pi",
            model=device.model,
            sw_version=device.bridge_version,
            serial_number=device.device_id,
        )
    info = DeviceInfo(
        identifiers={(DOMAIN, f"{device.device_id}_{part}")},
        translation_key=part,
        **_via_pi(device, pi_device_id),
    )
    if part == WITTY_PI and (witty := device.witty_pi):
        info["manufacturer"] = "UUGear"
        info["model"] = witty.model or f"firmware id 0x{witty.firmware_id:02x}"
        info["sw_version"] = f"firmware revision {witty.firmware_revision}"
    elif part == BATTERY:
        battery = device.battery
        info["model"] = (
            f"{battery.chemistry} {battery.nominal_voltage:g} V {battery.capacity_ah:g} Ah"
        )
    elif part == WORKER:
        info["manufacturer"] = "iExec"
        info["model"] = device.worker_image
    return info


def _via_pi(device: BridgeDevice, pi_device_id: str | None) -> DeviceInfo:
    """The link from a part to the Pi, as the Home Assistant running takes it.

    Since 2026 a device names its via device by registry id, and naming it by identifiers
    (via_device) is deprecated, to go in 2027.8; 2025.4 knows only via_device.
    """
    if "via_device_id" in DeviceInfo.__optional_keys__ and pi_device_id is not None:
        return cast(DeviceInfo, {"via_device_id": pi_device_id})
    return DeviceInfo(via_device=(DOMAIN, device.device_id))


class PEWEntity(CoordinatorEntity[PEWCoordinator]):
    """An entity of one part of a bridge."""

    _attr_has_entity_name = True
    entity_description: PEWEntityDescription

    def __init__(self, coordinator: PEWCoordinator, description: PEWEntityDescription) -> None:
        super().__init__(coordinator)
        self.entity_description = description
        data = coordinator.config_entry.runtime_data
        device = data.device
        self._attr_unique_id = f"{device.device_id}_{description.part}_{description.key}"
        self._attr_device_info = device_info(device, description.part, data.pi_device_id)

    @property
    def available(self) -> bool:
        return super().available and self.entity_description.available_fn(self.coordinator.data)


def set_optional_entities(hass: HomeAssistant, entry: PEWConfigEntry, *, enabled: bool) -> None:
    """Turn the optional (diagnostic) entities on or off together."""
    registry = er.async_get(hass)
    endings = tuple(f"_{ending}" for ending in OPTIONAL_ENTITIES)
    for item in er.async_entries_for_config_entry(registry, entry.entry_id):
        if not item.unique_id.endswith(endings):
            continue
        if enabled and item.disabled_by is er.RegistryEntryDisabler.INTEGRATION:
            registry.async_update_entity(item.entity_id, disabled_by=None)
        elif not enabled and item.disabled_by is None:
            registry.async_update_entity(
                item.entity_id, disabled_by=er.RegistryEntryDisabler.INTEGRATION
            )


_Description = TypeVar("_Description", bound=PEWEntityDescription)


def add_entities(
    entry: PEWConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    entity: Callable[[PEWCoordinator, _Description], PEWEntity],
    descriptions: Iterable[_Description],
) -> None:
    """A platform's entities: one per description of what this bridge has."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        entity(coordinator, description)
        for description in descriptions
        if description.exists_fn(coordinator.data)
    )
