"""What users see, pinned: every entity's registry entry and its state's attributes.

Values move with the simulated sun, so states are pinned by their attributes (units, classes,
options, names), not their numbers; the compute window's ``detail`` (numbers in words) is
masked too. They are pinned as the frontend receives them, in JSON: the same on every Home
Assistant tested, where the Python types differ (2026's attribute keys are enums, 2025.4's
strings). A change here must be deliberate: update with
``./scripts/test tests/integration/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import json

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from tests.integration.conftest import entry_for
from tests.support.bridge import BridgeProcess, write_config

pytestmark = pytest.mark.usefixtures("socket_enabled")
DEVICE_ID = "0123456789abcdef"
MOVING = {"detail": "<moves with the sun>"}


def pinned(attributes) -> dict:
    return {key: MOVING.get(key, value) for key, value in attributes.items()}


@pytest.fixture
def fixed_bridge(tmp_path):
    """A bridge whose device id is fixed, so unique ids are the same in every run."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "device_id").write_text(DEVICE_ID + "\n")
    config = write_config(tmp_path / "b.toml", docker_url=f"unix://{tmp_path}/none", tmp=tmp_path)
    bridge = BridgeProcess(data, config=config).start()
    yield bridge
    bridge.stop()


async def test_entities_as_users_see_them(hass: HomeAssistant, fixed_bridge, snapshot) -> None:
    entry = entry_for(fixed_bridge)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    registry = er.async_get(hass)
    seen = {}
    for item in sorted(
        er.async_entries_for_config_entry(registry, entry.entry_id), key=lambda e: e.entity_id
    ):
        state = hass.states.get(item.entity_id)
        seen[item.entity_id] = {
            "unique_id": item.unique_id,
            "translation_key": item.translation_key,
            "original_device_class": item.original_device_class,
            "entity_category": item.entity_category,
            "disabled_by": item.disabled_by,
            "unit_of_measurement": item.unit_of_measurement,
            "capabilities": item.capabilities,
            "options": dict(item.options),
            "state_attributes": pinned(state.attributes) if state else None,
        }
    assert json.loads(json.dumps(seen)) == snapshot
    await hass.config_entries.async_unload(entry.entry_id)
