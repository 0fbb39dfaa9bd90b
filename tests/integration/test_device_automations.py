"""Device triggers, conditions and actions, as the visual automation editor offers them and as
automations run them."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.components.device_automation import DeviceAutomationType
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    async_get_device_automations,
    async_mock_service,
)

from custom_components.positive_energy_worker.const import DOMAIN
from tests.integration.test_auto_mode import (
    EXPORTING,
    GRID,
    IMPORTING,
    PROMPT,
    WATTS,
    set_up,
    spy_on_commands,
)

pytestmark = pytest.mark.usefixtures("socket_enabled")
TV = "media_player.tv"


def devices(hass: HomeAssistant, entry) -> dict[str, dr.DeviceEntry]:
    registry = dr.async_get(hass)
    return {d.name: d for d in dr.async_entries_for_config_entry(registry, entry.entry_id)}


async def ours(hass: HomeAssistant, kind: DeviceAutomationType, device_id: str) -> set[str]:
    found = await async_get_device_automations(hass, kind, device_id)
    return {item["type"] for item in found if item["domain"] == DOMAIN}


async def test_the_pi_and_the_worker_offer_the_windows_automations(
    hass: HomeAssistant, bridge
) -> None:
    entry = await set_up(hass, bridge)
    assert await async_setup_component(hass, "device_automation", {})
    pi, worker = (devices(hass, entry)[name].id for name in ("Solar Pi", "iExec worker"))
    assert await ours(hass, DeviceAutomationType.TRIGGER, pi) == {
        "surplus_started",
        "surplus_ended",
        "devices_idle",
        "devices_busy",
    }
    assert await ours(hass, DeviceAutomationType.CONDITION, pi) == {
        "is_surplus",
        "is_devices_idle",
    }
    assert await ours(hass, DeviceAutomationType.ACTION, pi) == set()
    assert await ours(hass, DeviceAutomationType.TRIGGER, worker) == {
        "window_opened",
        "window_closed",
    }
    assert await ours(hass, DeviceAutomationType.CONDITION, worker) == {"is_window_open"}
    assert await ours(hass, DeviceAutomationType.ACTION, worker) == {
        "start_worker",
        "drain_worker",
    }
    await hass.config_entries.async_unload(entry.entry_id)


def device_item(
    hass: HomeAssistant, device: dr.DeviceEntry, entity_id: str, kind: str, type_: str
) -> dict[str, Any]:
    """A device trigger or condition as the editor writes it (the entity by registry id)."""
    return {
        kind: "device",
        "domain": DOMAIN,
        "device_id": device.id,
        "entity_id": er.async_get(hass).async_get(entity_id).id,
        "type": type_,
    }


async def test_device_triggers_and_conditions_run_automations(hass: HomeAssistant, bridge) -> None:
    hass.states.async_set(GRID, IMPORTING, WATTS)
    hass.states.async_set(TV, "playing")
    entry = await set_up(hass, bridge, **PROMPT, idle_entities=[TV])
    found = devices(hass, entry)
    pi, worker = found["Solar Pi"], found["iExec worker"]
    window, surplus = (
        "binary_sensor.iexec_worker_compute_window",
        "binary_sensor.solar_pi_solar_surplus",
    )
    idle = "binary_sensor.solar_pi_home_devices_idle"
    calls = async_mock_service(hass, "test", "automation")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": [
                {
                    "trigger": device_item(hass, worker, window, "platform", "window_opened"),
                    "action": {"action": "test.automation", "data": {"what": "opened"}},
                },
                {
                    "trigger": device_item(hass, pi, surplus, "platform", "surplus_started"),
                    "condition": device_item(hass, pi, idle, "condition", "is_devices_idle"),
                    "action": {"action": "test.automation", "data": {"what": "idle surplus"}},
                },
            ]
        },
    )
    heard = lambda: [call.data["what"] for call in calls]  # noqa: E731

    async def change(entity_id: str, state: str) -> None:
        hass.states.async_set(entity_id, state, WATTS if entity_id == GRID else {})
        # Two hand-overs: the window sees the change, then the automations see the window's.
        await hass.async_block_till_done()
        await hass.async_block_till_done()

    await change(GRID, EXPORTING)  # surplus, but the TV plays
    assert heard() == []
    await change(TV, "off")  # the window opens
    assert heard() == ["opened"]
    await change(GRID, IMPORTING)
    await change(GRID, EXPORTING)  # surplus again, the home idle
    assert sorted(heard()) == ["idle surplus", "opened", "opened"]
    await hass.config_entries.async_unload(entry.entry_id)


async def test_device_actions_start_and_drain_the_worker_through_the_client(
    hass: HomeAssistant, bridge, monkeypatch
) -> None:
    entry = await set_up(hass, bridge)
    calls = spy_on_commands(entry, monkeypatch)
    worker = devices(hass, entry)["iExec worker"]
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": [
                {
                    "trigger": {"platform": "event", "event_type": f"go_{action}"},
                    "action": {"domain": DOMAIN, "device_id": worker.id, "type": action},
                }
                for action in ("start_worker", "drain_worker")
            ]
        },
    )
    hass.bus.async_fire("go_start_worker")
    await hass.async_block_till_done()
    hass.bus.async_fire("go_drain_worker")
    await hass.async_block_till_done()
    # This bridge has no Docker engine and refuses both; what matters is what was asked.
    assert calls == [("start_worker", {}), ("stop_worker", {"drain": True, "grace": None})]
    await hass.config_entries.async_unload(entry.entry_id)
