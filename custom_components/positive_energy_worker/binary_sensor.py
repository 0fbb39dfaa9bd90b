"""Binary sensors: the Pi firmware's under-voltage and throttling flags, and the compute
window's: solar surplus, the window itself, home devices idle.

Each window description also names the device triggers its turning on and off fire and the
device condition that it is on (``device_trigger.py``, ``device_condition.py`` read them).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import (
    CONF_DEVICE_ID,
    CONF_DOMAIN,
    CONF_ENTITY_ID,
    CONF_TYPE,
    EntityCategory,
    Platform,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .chain_entity import ChainEntity, ChainEntityDescription
from .compute_window import WindowState
from .const import DOMAIN
from .entity import (
    PI,
    PI_HOST,
    WORKER,
    PEWEntity,
    PEWEntityDescription,
    PEWWindowEntity,
    PEWWindowEntityDescription,
    add_entities,
)
from .models import BridgeState, Throttling
from .runtime_data import PEWConfigEntry

PARALLEL_UPDATES = 0  # push-fed, or written by the window: nothing to throttle
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _words(detail: str) -> str:
    """A decision's detail without its numbers: what it says, not how much."""
    return NUMBER.sub("#", detail)


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


@dataclass(frozen=True, kw_only=True)
class PEWWindowBinarySensorDescription(PEWWindowEntityDescription, BinarySensorEntityDescription):
    """A binary sensor of the window, and the device automations it offers."""

    is_on_fn: Callable[[WindowState], bool]
    attributes_fn: Callable[[WindowState], dict[str, Any]] = lambda window: {}
    # What the entity shows that means something: written only when it changes (None: always).
    meaning_fn: Callable[[WindowState], Hashable] | None = None
    turned_on: str  # device trigger types
    turned_off: str
    is_on: str  # device condition type


WINDOW_BINARY_SENSORS: tuple[PEWWindowBinarySensorDescription, ...] = (
    PEWWindowBinarySensorDescription(
        key="solar_surplus",
        translation_key="solar_surplus",
        part=PI,
        # No device class: its states are "Surplus" and "No surplus" (strings.json), not the
        # power class's "Detected power" / "No power".
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
        meaning_fn=lambda window: (
            window.decision.run,
            window.decision.reason,
            _words(window.decision.detail),
        ),
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
    """The flags, on a Pi whose firmware reports them; the window's sensors."""
    add_entities(entry, async_add_entities, PEWBinarySensor, BINARY_SENSORS)
    window = entry.runtime_data.window
    async_add_entities(
        PEWWindowBinarySensor(window, description) for description in WINDOW_BINARY_SENSORS
    )
    if (chain := entry.runtime_data.chain) is not None:
        async_add_entities([GasLowBinarySensor(chain, GAS_LOW)])


@dataclass(frozen=True, kw_only=True)
class ChainBinarySensorDescription(ChainEntityDescription, BinarySensorEntityDescription):
    """A binary sensor of the worker's economics."""


# On when the wallet's gas is below the threshold option: contributions would fail.
GAS_LOW = ChainBinarySensorDescription(
    key="gas_low", translation_key="gas_low", device_class=BinarySensorDeviceClass.PROBLEM
)


class GasLowBinarySensor(ChainEntity, BinarySensorEntity):
    """Whether the worker's wallet is short of gas."""

    @property
    def is_on(self) -> bool:
        return self.coordinator.data.gas_low


class PEWBinarySensor(PEWEntity, BinarySensorEntity):
    """One flag of the bridge's state."""

    entity_description: PEWBinarySensorDescription

    @property
    def is_on(self) -> bool | None:
        return self.entity_description.is_on_fn(self.coordinator.data)


class PEWWindowBinarySensor(PEWWindowEntity, BinarySensorEntity):
    """One view of the compute window as on or off."""

    entity_description: PEWWindowBinarySensorDescription
    # The detail's numbers (a surplus, a timer) are for the eye: the recorder keeps the state
    # and the reason, not a row for each second a timer counts.
    _unrecorded_attributes = frozenset({"detail"})
    _meaning: Hashable = None

    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        if (meaning_fn := self.entity_description.meaning_fn) is not None:
            self._meaning = meaning_fn(self.window.state)  # what the first write shows

    @callback
    def _window_decided(self) -> None:
        meaning_fn = self.entity_description.meaning_fn
        if meaning_fn is not None:
            meaning = meaning_fn(self.window.state)
            if meaning == self._meaning:
                return
            self._meaning = meaning
        self.async_write_ha_state()

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
