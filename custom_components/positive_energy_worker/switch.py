"""Switches: the worker (on starts it, off drains it: the running task finishes first), and auto
mode (the compute window drives the worker; restored after a restart)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import RestoreEntity

from .client import BridgeClient, BridgeState
from .compute_window import ComputeWindow
from .coordinator import PEWConfigEntry
from .entity import (
    WORKER,
    PEWEntity,
    PEWEntityDescription,
    PEWWindowEntity,
    PEWWindowEntityDescription,
    add_entities,
)
from .helpers import bridge_command

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class PEWSwitchDescription(PEWEntityDescription, SwitchEntityDescription):
    """A switch: whether it is on in the state, and the commands that turn it on and off."""

    is_on_fn: Callable[[BridgeState], bool]
    attributes_fn: Callable[[BridgeState], dict[str, Any]]
    turn_on_fn: Callable[[BridgeClient], Awaitable[object]]
    turn_off_fn: Callable[[BridgeClient], Awaitable[object]]


SWITCHES: tuple[PEWSwitchDescription, ...] = (
    # On while the worker runs or is wanted; a guard may hold it off.
    PEWSwitchDescription(
        key="worker",
        translation_key="worker",
        part=WORKER,
        is_on_fn=lambda s: s.worker.state in ("running", "starting") or s.worker.desired_running,
        attributes_fn=lambda s: {"held_by_guard": sorted(s.guards.tripped)},
        turn_on_fn=lambda client: client.start_worker(),
        turn_off_fn=lambda client: client.stop_worker(drain=True),
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
    def extra_state_attributes(self) -> dict[str, Any]:
        return self.entity_description.attributes_fn(self.coordinator.data)

    @bridge_command
    async def async_turn_on(self, **kwargs: Any) -> None:
        await self.entity_description.turn_on_fn(self.coordinator.client)
        await self.coordinator.async_request_refresh()

    @bridge_command
    async def async_turn_off(self, **kwargs: Any) -> None:
        await self.entity_description.turn_off_fn(self.coordinator.client)
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
