"""The blueprint at the repository's root: Home Assistant's blueprint schema takes it, an
automation made from it runs, and the README links to its import."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint import Blueprint
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from homeassistant.util.yaml import load_yaml_dict
from pytest_homeassistant_custom_component.common import (
    async_fire_time_changed,
    async_mock_service,
)

ROOT = Path(__file__).resolve().parents[2]
PATH = "positive_energy_worker/solar_surplus_compute.yaml"
FILE = ROOT / "blueprints" / "automation" / PATH
SURPLUS, BATTERY, TV, WORKER = (
    "sensor.solar_pi_surplus",
    "sensor.battery_state_of_charge",
    "media_player.tv",
    "switch.iexec_worker_compute",
)


def repository() -> str:
    manifest = json.loads(
        (ROOT / "custom_components/positive_energy_worker/manifest.json").read_text()
    )
    return manifest["documentation"]


def test_the_blueprint_passes_home_assistants_schema() -> None:
    blueprint = Blueprint(
        load_yaml_dict(FILE), expected_domain="automation", schema=AUTOMATION_BLUEPRINT_SCHEMA
    )
    assert blueprint.validate() is None  # this Home Assistant is recent enough
    assert set(blueprint.inputs) == {
        "surplus_sensor",
        "start_above",
        "stop_below",
        "idle_devices",
        "battery_sensor",
        "battery_reserve",
        "worker_switch",
        "start_delay",
        "stop_delay",
    }
    assert blueprint.metadata["source_url"] == (
        f"{repository()}/blob/main/blueprints/automation/{PATH}"
    )


def test_the_readme_links_to_the_blueprints_import() -> None:
    raw_repository = repository().replace("github.com", "raw.githubusercontent.com")
    raw = f"{raw_repository}/main/blueprints/automation/{PATH}"
    link = "https://my.home-assistant.io/redirect/blueprint_import/?blueprint_url="
    assert link + quote(raw, safe="") in (ROOT / "README.md").read_text()


@pytest.fixture
def blueprint_in_config(hass: HomeAssistant, tmp_path: Path) -> None:
    """The blueprint where Home Assistant looks for it: the configuration's blueprints/."""
    target = tmp_path / "blueprints" / "automation" / PATH
    target.parent.mkdir(parents=True)
    shutil.copy(FILE, target)
    hass.config.config_dir = str(tmp_path)


@pytest.mark.usefixtures("blueprint_in_config")
async def test_an_automation_from_the_blueprint_runs_the_worker_on_surplus(
    hass: HomeAssistant,
) -> None:
    for entity_id, state in ((SURPLUS, "0"), (BATTERY, "80"), (TV, "off")):
        hass.states.async_set(entity_id, state)
    turned_on = async_mock_service(hass, "switch", "turn_on")
    turned_off = async_mock_service(hass, "switch", "turn_off")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "use_blueprint": {
                    "path": PATH,
                    "input": {
                        "surplus_sensor": SURPLUS,
                        "idle_devices": [TV],
                        "battery_sensor": BATTERY,
                        "worker_switch": WORKER,
                    },
                }
            }
        },
    )

    async def later(minutes: float) -> None:
        """Run the timers due this long after now (no real time passes in between)."""
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=minutes))
        await hass.async_block_till_done()

    async def set_state(entity_id: str, state: str) -> None:
        hass.states.async_set(entity_id, state)
        await hass.async_block_till_done()

    await set_state(SURPLUS, "40")
    await later(1)
    assert turned_on == []  # the start delay (2 minutes) has not passed
    await later(2.5)
    assert [call.data["entity_id"] for call in turned_on] == [[WORKER]]

    await set_state(TV, "playing")
    assert len(turned_off) == 1  # a busy device: the worker drains
    await set_state(TV, "off")
    assert len(turned_on) == 2  # idle again while the surplus holds

    await set_state(BATTERY, "35")
    assert len(turned_off) == 2  # the battery at its reserve
    await set_state(BATTERY, "80")

    await set_state(SURPLUS, "-20")
    await later(2)
    assert len(turned_off) == 2  # the stop delay (3 minutes) has not passed
    await later(3.5)
    assert len(turned_off) == 3


@pytest.mark.usefixtures("blueprint_in_config")
async def test_the_blueprint_works_without_idle_devices(hass: HomeAssistant) -> None:
    hass.states.async_set(SURPLUS, "0")
    hass.states.async_set(BATTERY, "80")
    turned_on = async_mock_service(hass, "switch", "turn_on")
    inputs = {"surplus_sensor": SURPLUS, "battery_sensor": BATTERY, "worker_switch": WORKER}
    inputs |= {"start_delay": {"seconds": 0}}
    assert await async_setup_component(
        hass, "automation", {"automation": {"use_blueprint": {"path": PATH, "input": inputs}}}
    )
    hass.states.async_set(SURPLUS, "40")
    await hass.async_block_till_done()
    assert len(turned_on) == 1
