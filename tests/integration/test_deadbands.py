"""One name and one default per push deadband, from the options flow to the bridge."""

from __future__ import annotations

from dataclasses import asdict

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.positive_energy_worker.const import DOMAIN
from custom_components.positive_energy_worker.models import Deadbands
from hardware_bridge.api.deadband import DEFAULT_DEADBANDS
from tests.integration.conftest import entry_for, options_step
from tests.support.bridge import BridgeProcess
from tests.support.client import until
from tests.support.openapi import spec

pytestmark = pytest.mark.usefixtures("socket_enabled")
SUBSCRIBED = "event subscriber's deadbands: "


def documented() -> dict[str, float]:
    """The deadbands of the bridge's OpenAPI document (SubscribeMessage), with their defaults."""
    schema = spec()["components"]["schemas"]["SubscribeMessage"]["properties"]["deadbands"]
    return {name: band["default"] for name, band in schema["properties"].items()}


def subscriptions(bridge: BridgeProcess) -> list[dict[str, str]]:
    """The deadbands each event subscriber chose, as the bridge logged them."""
    lines = [line for line in bridge.log.read_text().splitlines() if SUBSCRIBED in line]
    return [dict(pair.split("=") for pair in line.split(SUBSCRIBED)[1].split()) for line in lines]


def test_the_deadband_defaults_are_the_documented_ones() -> None:
    bridge_documents = documented()
    ours = asdict(Deadbands())
    assert ours == {name: bridge_documents[name] for name in ours}
    assert dict(DEFAULT_DEADBANDS) == bridge_documents


async def test_a_deadband_chosen_in_the_options_reaches_the_bridge_under_its_name(
    hass: HomeAssistant, bridge
) -> None:
    entry = entry_for(bridge)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    chosen = {"power": 7.5, "voltage": 0.25, "soc": 2.5}
    result = await options_step(hass, entry, "push", {**chosen, "optional_entities": False})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()

    wanted = {name: str(value) for name, value in chosen.items()}
    await until(
        lambda: any(wanted.items() <= seen.items() for seen in subscriptions(bridge)),
        f"the bridge to log a subscription with {wanted}",
    )
    assert "event subscription ignored" not in bridge.log.read_text()
    await hass.config_entries.async_unload(entry.entry_id)


async def test_an_entry_with_the_old_option_names_is_migrated(hass: HomeAssistant, bridge) -> None:
    current = entry_for(bridge)
    entry = MockConfigEntry(
        domain=DOMAIN,
        version=1,
        minor_version=1,
        title=current.title,
        unique_id=current.unique_id,
        data=current.data,
        options={
            "deadband_power": 3.5,
            "deadband_voltage": 0.2,
            "deadband_soc": 1.5,
            "optional_entities": True,
        },
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert (entry.version, entry.minor_version) == (1, 2)
    assert entry.options == {"power": 3.5, "voltage": 0.2, "soc": 1.5, "optional_entities": True}
    assert entry.runtime_data.coordinator.deadbands == Deadbands(power=3.5, voltage=0.2, soc=1.5)
    wanted = {"power": "3.5", "voltage": "0.2", "soc": "1.5"}
    await until(
        lambda: any(wanted.items() <= seen.items() for seen in subscriptions(bridge)),
        "the migrated deadbands at the bridge",
    )
    await hass.config_entries.async_unload(entry.entry_id)
