"""The worker as a switch: on starts it, off drains it (the running task finishes first)."""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import PEWConfigEntry
from .entity import WORKER, PEWEntity
from .services import call_bridge

PARALLEL_UPDATES = 1

WORKER_SWITCH = SwitchEntityDescription(key="worker", translation_key="worker")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PEWConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    async_add_entities([PEWWorkerSwitch(entry.runtime_data.coordinator, WORKER_SWITCH, WORKER)])


class PEWWorkerSwitch(PEWEntity, SwitchEntity):
    """On while the worker runs or is wanted; a guard may hold it off."""

    @property
    def is_on(self) -> bool:
        worker = self.coordinator.data["worker"]
        return bool(worker["state"] in ("running", "starting") or worker["desired_running"])

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        guards = self.coordinator.data.get("guards", {})
        return {"held_by_guard": sorted(guards.get("tripped", {}))}

    async def async_turn_on(self, **kwargs: Any) -> None:
        await call_bridge(self.coordinator.client.start_worker())
        await self.coordinator.async_request_refresh()

    async def async_turn_off(self, **kwargs: Any) -> None:
        await call_bridge(self.coordinator.client.stop_worker(drain=True))
        await self.coordinator.async_request_refresh()
