"""The entity base classes: devices, unique ids and availability in one place.

``PEWEntity`` shows the bridge's state; ``PEWWindowEntity`` shows the compute window's
decisions (made in Home Assistant, so they do not go unavailable with the bridge).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final, Generic, TypeVar, cast

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .compute_window import ComputeWindow
from .const import CONF_OPTIONAL_ENTITIES, DOMAIN, OPTIONAL_ENTITIES
from .coordinator import PEWCoordinator
from .models import Battery, BatteryInfo, BridgeDevice, BridgeState, Host, Solar, WittyPi
from .runtime_data import PEWConfigEntry

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

    def shows(self, read: Callable[[_Part], object]) -> Callable[[BridgeState], bool]:
        """Whether ``read`` of this part has a value: a figure the hardware lacks is None."""
        value = self.reading(read)
        return lambda state: value(state) is not None


BATTERY_CHIP: Final = ChipPart[Battery](BATTERY, lambda state: state.battery)
SOLAR_CHIP: Final = ChipPart[Solar](SOLAR, lambda state: state.solar)
WITTY_PI_CHIP: Final = ChipPart[WittyPi](WITTY_PI, lambda state: state.witty_pi)
# The Pi itself, read from its /proc and /sys rather than a chip, but null the same way.
PI_HOST: Final = ChipPart[Host](PI, lambda state: state.host)

# The Witty Pi's low-voltage cut: in force (a voltage) or off (None), within what its MCU takes.
cut_in_force: Final = WITTY_PI_CHIP.reading(lambda witty: witty.low_voltage_threshold)
LOW_VOLTAGE_CUT_RANGE: Final = (2.0, 25.0)


def default_low_voltage_cut(battery: BatteryInfo) -> float:
    """A first cut to offer, before the bridge ever reported one: 90 % of the battery's
    nominal voltage (11.5 V for 12.8 V LiFePO4, 10.8 V for 12 V lead-acid)."""
    low, high = LOW_VOLTAGE_CUT_RANGE
    return min(max(round(0.9 * battery.nominal_voltage, 1), low), high)


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


# How a product page writes each chemistry the bridge names.
CHEMISTRY_NAMES: Final = {
    "lead_acid": "Lead-acid",
    "agm": "AGM",
    "lifepo4": "LiFePO4",
    "li_ion": "Li-ion",
}
# The parts Home Assistant knows no maker of: whatever battery and panel the owner wired.
GENERIC: Final = "Generic"


def device_info(device: BridgeDevice, part: str, pi_device_id: str | None) -> DeviceInfo:
    """The device registry entry of one part of a bridge, as a product page would put it; a part
    is linked to the Pi (by its registry id where the Home Assistant running takes one)."""
    if part == PI:
        # The board names itself "Raspberry Pi 4 Model B Rev 1.4": the model, then its revision.
        model, _, revision = device.model.partition(" Rev ")
        return DeviceInfo(
            identifiers={(DOMAIN, device.device_id)},
            translation_key=PI,
            manufacturer="Raspberry Pi Ltd",
            model="Raspberry Pi" if device.simulated else model,
            hw_version=f"simulated ({device.scenario})"
            if device.simulated
            else (f"Rev {revision}" if revision else None),
            sw_version=f"hardware bridge {device.bridge_version}",
            serial_number=device.device_id,
        )
    info = DeviceInfo(
        identifiers={(DOMAIN, f"{device.device_id}_{part}")},
        translation_key=part,
        **_via_pi(device, pi_device_id),
    )
    if part == WITTY_PI and (witty := device.witty_pi):
        info["manufacturer"] = "UUGear"
        info["model"] = witty.model or f"Witty Pi (firmware id 0x{witty.firmware_id:02X})"
        info["sw_version"] = str(witty.firmware_revision)
    elif part == BATTERY:
        battery = device.battery
        chemistry = CHEMISTRY_NAMES.get(battery.chemistry, battery.chemistry)
        info["manufacturer"] = GENERIC
        info["model"] = (
            f"{chemistry} battery, {battery.nominal_voltage:g} V {battery.capacity_ah:g} Ah"
        )
    elif part == SOLAR:
        info["manufacturer"] = GENERIC
        info["model"] = "Solar panel"
    elif part == WORKER:
        info["manufacturer"] = "iExec"
        info["model"] = device.worker_image
    return info


def unique_id(device: BridgeDevice, part: str, key: str) -> str:
    """An entity's unique id: the bridge, the part of the Pi it belongs to, its key."""
    return f"{device.device_id}_{part}_{key}"


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
        self._attr_unique_id = unique_id(data.device, description.part, description.key)
        self._attr_device_info = device_info(data.device, description.part, data.pi_device_id)

    @property
    def available(self) -> bool:
        return super().available and self.entity_description.available_fn(self.coordinator.data)


@dataclass(frozen=True, kw_only=True)
class PEWWindowEntityDescription(EntityDescription):
    """An entity of the compute window, shown on one part of a bridge."""

    part: str


class PEWWindowEntity(Entity):
    """An entity of the compute window: written after each of its decisions."""

    _attr_has_entity_name = True
    _attr_should_poll = False
    entity_description: PEWWindowEntityDescription

    def __init__(self, window: ComputeWindow, description: PEWWindowEntityDescription) -> None:
        self.window = window
        self.entity_description = description
        self._attr_unique_id = unique_id(window.device, description.part, description.key)
        self._attr_device_info = device_info(
            window.device, description.part, window.entry.runtime_data.pi_device_id
        )

    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        self.async_on_remove(self.window.async_add_listener(self._window_decided))

    @callback
    def _window_decided(self) -> None:
        """After each decision of the window (an entity may write only what changed)."""
        self.async_write_ha_state()


def set_optional_entities(hass: HomeAssistant, entry: PEWConfigEntry, *, enabled: bool) -> bool:
    """Turn the optional (diagnostic) entities on or off together; whether any was turned on
    (Home Assistant reloads the entry to add them)."""
    registry = er.async_get(hass)
    endings = tuple(f"_{ending}" for ending in OPTIONAL_ENTITIES)
    turned_on = False
    for item in er.async_entries_for_config_entry(registry, entry.entry_id):
        if not item.unique_id.endswith(endings):
            continue
        if enabled and item.disabled_by is er.RegistryEntryDisabler.INTEGRATION:
            registry.async_update_entity(item.entity_id, disabled_by=None)
            turned_on = True
        elif not enabled and item.disabled_by is None:
            registry.async_update_entity(
                item.entity_id, disabled_by=er.RegistryEntryDisabler.INTEGRATION
            )
    return turned_on


@callback
def async_apply_options(hass: HomeAssistant, entry: PEWConfigEntry) -> None:
    """New options take effect through one reload.

    Entities that the options turn on make Home Assistant reload the entry by itself (as it does
    30 s after a user enables an entity), so that reload is the one; otherwise reload now. The
    options flow calls this: the entry has no update listener, since Home Assistant reloads an
    entry itself after a reconfigure or a reauth, and reports one that also has a listener.
    """
    wanted = bool(entry.options.get(CONF_OPTIONAL_ENTITIES, False))
    if not set_optional_entities(hass, entry, enabled=wanted):
        hass.config_entries.async_schedule_reload(entry.entry_id)


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
