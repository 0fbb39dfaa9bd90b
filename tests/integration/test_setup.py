"""Setting up an entry against a real bridge: devices, entities, states."""

from __future__ import annotations

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from tests.integration.conftest import entry_for

pytestmark = pytest.mark.usefixtures("socket_enabled")


async def test_entities_follow_the_simulated_hardware(hass: HomeAssistant, bridge) -> None:
    entry = entry_for(bridge)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    assert {d.name for d in devices} == {
        "Solar Pi",
        "Witty Pi",
        "Battery",
        "Solar panel",
        "iExec worker",
    }
    soc = hass.states.get("sensor.battery_state_of_charge")
    assert soc is not None, [s.entity_id for s in hass.states.async_all()]
    assert 0 <= float(soc.state) <= 100
    await hass.config_entries.async_unload(entry.entry_id)
