"""What a newcomer trips over in the UI (issue 22's small things): option pages titled as the
menu names them, every number's bounds shown, the surplus sensor's words, the blueprint at a
Pi's scale, and a compute window that writes (and records) what it means, not each second."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers.selector import NumberSelector

from custom_components.positive_energy_worker import options_flow
from custom_components.positive_energy_worker.binary_sensor import WINDOW_BINARY_SENSORS
from custom_components.positive_energy_worker.chain_flow import CHAIN_SCHEMA
from custom_components.positive_energy_worker.policy import PolicyConfig
from custom_components.positive_energy_worker.settings import WORKER_WATTS
from tests.integration.conftest import entry_for
from tests.support.bridge import BridgeProcess

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "custom_components" / "positive_energy_worker"
BLUEPRINT = ROOT / "blueprints/automation/positive_energy_worker/solar_surplus_compute.yaml"
WINDOW = "binary_sensor.iexec_worker_compute_window"
GRID, TV = "sensor.grid_power", "media_player.tv"
WATTS = {"unit_of_measurement": "W", "device_class": "power"}


def strings() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((PACKAGE / "strings.json").read_text())
    return loaded


def test_each_options_page_is_titled_as_the_menu_names_it() -> None:
    steps = strings()["options"]["step"]
    for step, name in steps["init"]["menu_options"].items():
        assert steps[step]["title"] == name


def test_each_number_of_each_options_page_shows_its_bounds() -> None:
    steps = strings()["options"]["step"]
    for step, schema in {**options_flow.STEPS, "chain": CHAIN_SCHEMA}.items():
        for marker, selector in schema.schema.items():
            if not isinstance(selector, NumberSelector) or "max" not in selector.config:
                continue
            config = selector.config
            unit = config.get("unit_of_measurement")
            bounds = f"({config['min']:g} to {config['max']:g}{f' {unit}' if unit else ''})"
            assert bounds in steps[step]["data_description"][str(marker)], (step, marker)
    error = strings()["options"]["error"]["out_of_range"]
    assert "its description gives" in error


def test_the_solar_surplus_reads_surplus_not_detected_power() -> None:
    (surplus,) = [d for d in WINDOW_BINARY_SENSORS if d.key == "solar_surplus"]
    assert surplus.device_class is None
    states = strings()["entity"]["binary_sensor"]["solar_surplus"]["state"]
    assert states == {"on": "Surplus", "off": "No surplus"}


def test_the_blueprints_thresholds_fit_a_pi_worker() -> None:
    inputs = yaml.load(BLUEPRINT.read_text(), Loader=yaml.BaseLoader)["blueprint"]["input"]
    start, stop = float(inputs["start_above"]["default"]), float(inputs["stop_below"]["default"])
    pi = PolicyConfig(worker_watts=WORKER_WATTS)
    # The integration's own window for a Pi: start at 4.2 W, stop under 3.2 W.
    assert pi.start_w <= start < 2 * WORKER_WATTS
    assert 0 < stop <= pi.stop_w


@pytest.mark.usefixtures("socket_enabled")
async def test_the_window_writes_when_its_meaning_changes_and_records_no_detail(
    hass: HomeAssistant, bridge: BridgeProcess
) -> None:
    hass.states.async_set(GRID, "100", WATTS)
    hass.states.async_set(TV, "off")
    entry = entry_for(
        bridge, surplus_source="grid", grid_power=GRID, smoothing_s=0, idle_entities=[TV]
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    window = hass.states.get(WINDOW)
    assert window is not None
    assert window.attributes["reason"] == "no_surplus", window.attributes
    assert "detail" in window.state_info["unrecorded_attributes"]

    written: list[tuple[str, str]] = []

    def seen(event: Event[Any]) -> None:
        new = event.data["new_state"]
        if event.data["entity_id"] == WINDOW and new is not None and "reason" in new.attributes:
            written.append((new.attributes["reason"], new.attributes["detail"]))

    hass.bus.async_listen("state_changed", seen)
    # The import moves: the window stays closed for want of surplus, only its numbers move.
    for watts in ("120", "140", "160"):
        hass.states.async_set(GRID, watts, WATTS)
        await hass.async_block_till_done()
    assert written == [], window.attributes
    # The TV goes on: that is news.
    hass.states.async_set(TV, "playing")
    await hass.async_block_till_done()
    assert written == [("devices_busy", TV)]
    assert re.fullmatch(r"devices_busy", hass.states.get(WINDOW).attributes["reason"])
