"""Which bridge an action reaches: by entry, by device, the only one, or a clear refusal."""

from __future__ import annotations

from datetime import datetime

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.positive_energy_worker.const import DOMAIN
from custom_components.positive_energy_worker.services import _aware
from tests.integration.conftest import set_up

pytestmark = pytest.mark.usefixtures("socket_enabled")


async def stop(hass: HomeAssistant, **target) -> None:
    await hass.services.async_call(DOMAIN, "stop_worker", {"drain": False, **target}, blocking=True)


async def test_a_device_of_the_bridge_is_a_target(hass: HomeAssistant, bridge) -> None:
    entry = await set_up(hass, bridge)
    battery = next(
        d
        for d in dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
        if d.name == "Battery"
    )
    # No Docker engine behind this bridge: the bridge answers 503, which comes back translated.
    with pytest.raises(HomeAssistantError) as refused:
        await hass.services.async_call(
            DOMAIN, "start_worker", {"device_id": battery.id}, blocking=True
        )
    assert refused.value.translation_key == "refused"
    assert "Docker engine unreachable" in refused.value.translation_placeholders["reason"]
    await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize(
    ("target", "key"),
    [
        ({"device_id": "no-such-device"}, "unknown_device"),
        ({"config_entry_id": "no-such-entry"}, "unknown_entry"),
    ],
)
async def test_an_unknown_target_is_refused(hass: HomeAssistant, bridge, target, key) -> None:
    entry = await set_up(hass, bridge)
    with pytest.raises(ServiceValidationError) as refused:
        await stop(hass, **target)
    assert refused.value.translation_key == key
    await hass.config_entries.async_unload(entry.entry_id)


async def test_with_two_bridges_a_target_is_needed_and_an_unloaded_one_refused(
    hass: HomeAssistant, bridge
) -> None:
    entry = await set_up(hass, bridge)
    other = MockConfigEntry(domain=DOMAIN, unique_id="other", data={})
    other.add_to_hass(hass)
    other.mock_state(hass, entry.state)
    with pytest.raises(ServiceValidationError) as refused:
        await stop(hass)
    assert refused.value.translation_key == "target_needed"
    unloaded = MockConfigEntry(domain=DOMAIN, unique_id="unloaded", data={})
    unloaded.add_to_hass(hass)
    with pytest.raises(ServiceValidationError) as refused:
        await stop(hass, config_entry_id=unloaded.entry_id)
    assert refused.value.translation_key == "not_loaded"
    await hass.config_entries.async_unload(entry.entry_id)


async def test_an_action_to_a_bridge_that_went_away_says_so(hass: HomeAssistant, bridge) -> None:
    entry = await set_up(hass, bridge)
    bridge.stop()
    with pytest.raises(HomeAssistantError) as refused:
        await stop(hass, config_entry_id=entry.entry_id)
    assert refused.value.translation_key == "cannot_connect"
    await hass.config_entries.async_unload(entry.entry_id)


async def test_a_time_without_zone_is_the_homes_local_time(hass: HomeAssistant) -> None:
    await hass.config.async_set_time_zone("Europe/Paris")
    moment = _aware(hass, datetime(2026, 6, 21, 8, 0))
    assert moment.utcoffset().total_seconds() == 7200
