"""Switches: the worker (on starts it, off drains it: the running task finishes first), the
Witty Pi's low-voltage cut (on at the voltage the "Cut-off" number shows, or off), and auto mode
(the compute window drives the worker; restored after a restart)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import RestoreEntity

from .compute_window import ComputeWindow
from .coordinator import PEWCoordinator
from .entity import (
    WITTY_PI_CHIP,
    WORKER,
    PEWEntity,
    PEWEntityDescription,
    PEWWindowEntity,
    PEWWindowEntityDescription,
    add_entities,
    cut_in_force,
)
from .helpers import bridge_command
from .models import BridgeState
from .runtime_data import PEWConfigEntry

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class PEWSwitchDescription(PEWEntityDescription, SwitchEntityDescription):
    """A switch: whether it is on in the state, and the commands that turn it on and off."""

    is_on_fn: Callable[[BridgeState], bool]
    turn_on_fn: Callable[[PEWCoordinator], Awaitable[object]]
    turn_off_fn: Callable[[PEWCoordinator], Awaitable[object]]
    attributes_fn: Callable[[BridgeState], dict[str, Any]] = lambda state: {}


SWITCHES: tuple[PEWSwitchDescription, ...] = (
    # On while the worker runs or is wanted; a guard may hold it off.
    PEWSwitchDescription(
        key="worker",
        translation_key="worker",
        part=WORKER,
        is_on_fn=lambda s: s.worker.wanted,
        attributes_fn=lambda s: {"held_by_guard": sorted(s.guards.tripped)},
        turn_on_fn=lambda c: c.client.start_worker(),
        turn_off_fn=lambda c: c.client.stop_worker(drain=True),
    ),
    # On while the Witty Pi cuts the power below a voltage (and the bridge's guard watches it).
    PEWSwitchDescription(
        key="low_voltage_cut",
        translation_key="low_voltage_cut",
        part=WITTY_PI_CHIP.part,
        entity_category=EntityCategory.CONFIG,
        exists_fn=WITTY_PI_CHIP.present,
        available_fn=WITTY_PI_CHIP.present,
        is_on_fn=lambda s: cut_in_force(s) is not None,
        turn_on_fn=lambda c: c.client.set_low_voltage(c.low_voltage_cut),
        turn_off_fn=lambda c: c.client.set_low_voltage(None),
    ),
)


@dataclass(frozen=True, kw_only=True)
class PEWWindowSwitchDescription(PEWWindowEntityDescription, SwitchEntityDescription):
    """A switch of the compute window: whether it is on, and what turns it on or off."""

    is_on_fn: Callable[[ComputeWindow], bool]
    set_fn: Callable[[ComputeWindow, bool], None]


WINDOW_SWITCHES: tuple[PEWWindowSwitchDescription, ...] = (
    PEWWindowSwitchDescription(
        key="auto_mode",
        translation_key="auto_mode",
        part=WORKER,
        is_on_fn=lambda window: window.auto,
        set_fn=lambda window, on: window.set_auto(on),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PEWConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    add_entities(entry, async_add_entities, PEWSwitch, SWITCHES)
    window = entry.runtime_data.window
    async_add_entities(PEWWindowSwitch(window, description) for description in WINDOW_SWITCHES)


class PEWSwitch(PEWEntity, SwitchEntity):
    """A command of the bridge as a switch."""

    entity_description: PEWSwitchDescription

    @property
    def is_on(self) -> bool:
        return self.entity_description.is_on_fn(self.coordinator.data)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        return self.entity_description.attributes_fn(self.coordinator.data) or None

    @bridge_command
    async def async_turn_on(self, **kwargs: Any) -> None:
        await self.entity_description.turn_on_fn(self.coordinator)
        await self.coordinator.async_request_refresh()

    @bridge_command
    async def async_turn_off(self, **kwargs: Any) -> None:
        await self.entity_description.turn_off_fn(self.coordinator)
        await self.coordinator.async_request_refresh()


class PEWWindowSwitch(PEWWindowEntity, SwitchEntity, RestoreEntity):
    """A setting of the compute window; it keeps its state across restarts."""

    entity_description: PEWWindowSwitchDescription

    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        if (last := await self.async_get_last_state()) is not None:
            self.entity_description.set_fn(self.window, last.state == "on")

    @property
    def is_on(self) -> bool:
        return self.entity_description.is_on_fn(self.window)

    async def async_turn_on(self, **kwargs: Any) -> None:
        self.entity_description.set_fn(self.window, True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        self.entity_description.set_fn(self.window, False)
