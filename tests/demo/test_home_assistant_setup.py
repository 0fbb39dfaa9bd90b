"""The demo's Home Assistant as a real install has it, on the release the demo runs (the newest,
a real ``python -m homeassistant``): ``default_config``, an automation saved as the UI's editor
saves it loads and fires, the Energy dashboard has the Pi's sensors chosen, and a restart asked
through Home Assistant's own action brings it back under the demo's supervisor with all of that
kept; a crash ends the demo with a message, no restart. Nothing of ours blocks the event
loop on the way (the chain step's address checksums).
"""

from __future__ import annotations

import os
import signal
import threading
import time
import urllib.error
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest

from demo.chain import ChainStep
from demo.energy import set_up_energy_dashboard
from demo.home_assistant import add_entry, home_assistant, wait_for_state
from demo.home_assistant_process import NEWEST, HomeAssistantProcess, free_port
from demo.settings import DemoSettings
from demo.supervisor import PartEndedError, supervise
from tests.support.bridge import BridgeProcess

pytestmark = [
    pytest.mark.usefixtures("socket_enabled"),
    pytest.mark.timeout(900),
    pytest.mark.skipif(os.geteuid() != 0, reason="scripts/current-ha's root needs root"),
]
AUTOMATION_ID = "newcomer_1"
# What the automation editor saves (POST /api/config/automation/config/<id>): a device of ours
# goes "on", the automation turns an input_boolean on, which the test reads.
AUTOMATION = {
    "alias": "Made in the UI",
    "description": "",
    "triggers": [{"trigger": "state", "entity_id": "input_boolean.demo_trigger", "to": "on"}],
    "conditions": [],
    "actions": [
        {"action": "input_boolean.turn_on", "target": {"entity_id": "input_boolean.demo_fired"}}
    ],
    "mode": "single",
}


@pytest.fixture
def hass(tmp_path: Path) -> Iterator[HomeAssistantProcess]:
    assert NEWEST.installed, "the newest Home Assistant is not installed: run ./scripts/setup"
    settings = DemoSettings(
        directory=tmp_path / "demo",
        scenario="default",
        start="2026-06-15T06:00:00",
        speed=60,
        bridge_port=free_port(),
        home_assistant_port=free_port(),
        username="owner",
        password="owner-password-1",
    )
    with home_assistant(settings, with_earnings=False) as process:
        yield process


def helper(hass: HomeAssistantProcess, name: str) -> None:
    """An input_boolean made as the Helpers page makes one."""
    hass.websocket({"type": "input_boolean/create", "name": name})


def state(hass: HomeAssistantProcess, entity_id: str) -> dict[str, Any]:
    """The entity's state; "absent" until it exists (an automation loads after its save)."""
    try:
        found: dict[str, Any] = hass.call("GET", f"/api/states/{entity_id}")
    except urllib.error.HTTPError as error:
        if error.code != HTTPStatus.NOT_FOUND:
            raise
        return {"state": "absent"}
    return found


def wait_for(hass: HomeAssistantProcess, entity_id: str, value: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while (now := state(hass, entity_id)["state"]) != value:
        assert time.monotonic() < deadline, f"{entity_id} stays {now}"
        time.sleep(0.5)


def test_default_config_ui_automations_energy_and_a_restart_under_the_supervisor(
    hass: HomeAssistantProcess, idle_bridge: BridgeProcess, chain_step: ChainStep
) -> None:
    hass.wait_until_running()
    config = hass.call("GET", "/api/config")
    assert {"default_config", "energy", "automation", "script", "scene"} <= set(
        config["components"]
    )
    # The blueprint is where "Import blueprint" puts it: the editor lists it.
    blueprints = hass.websocket({"type": "blueprint/list", "domain": "automation"})
    assert "positive_energy_worker/solar_surplus_compute.yaml" in blueprints

    # An automation made in the UI: saved to automations.yaml, loaded, and it fires.
    helper(hass, "Demo trigger")
    helper(hass, "Demo fired")
    hass.call("POST", f"/api/config/automation/config/{AUTOMATION_ID}", AUTOMATION)
    wait_for(hass, "automation.made_in_the_ui", "on")
    hass.call("POST", "/api/services/input_boolean/turn_on",
              {"entity_id": "input_boolean.demo_trigger"})  # fmt: skip
    wait_for(hass, "input_boolean.demo_fired", "on")

    # The Energy dashboard: the Pi's solar and battery sensors chosen in it.
    bridge = idle_bridge
    connection = {"host": "127.0.0.1", "port": bridge.port, "token": bridge.token}
    add_entry(hass, connection, chain_step.flow_answers)
    wait_for_state(hass, "sensor.solar_panel_energy_harvested")
    prefs = set_up_energy_dashboard(hass)
    sources = {source["type"]: source for source in prefs["energy_sources"]}
    assert sources["solar"]["stat_energy_from"] == "sensor.solar_panel_energy_harvested"
    assert sources["battery"]["stat_energy_from"] == "sensor.battery_energy_discharged"
    assert sources["battery"]["stat_energy_to"] == "sensor.battery_energy_charged"
    assert prefs["device_consumption"] == [{"stat_consumption": "sensor.solar_pi_energy_consumed"}]
    # Valid sensors (unit, class, state class); only their statistics are yet to come (the
    # recorder compiles them every five minutes).
    validation = hass.websocket({"type": "energy/validate"})
    issues = [issue["type"] for source in validation["energy_sources"] for issue in source]
    assert set(issues) <= {"statistics_not_defined"}, validation

    # A restart, as the UI's "Restart Home Assistant" asks it: the supervisor brings it back.
    said: list[str] = []
    ended: list[BaseException] = []
    stop = threading.Event()

    def run() -> None:
        try:
            supervise(hass, lambda: "the test" if stop.is_set() else None, say=said.append,
                      poll=0.2)  # fmt: skip
        except PartEndedError as error:
            ended.append(error)

    watcher = threading.Thread(target=run, daemon=True)
    watcher.start()
    first = hass.process
    assert first is not None
    hass.call("POST", "/api/services/homeassistant/restart", {})
    deadline = time.monotonic() + 300
    while "demo: Home Assistant is back" not in said:
        assert not ended, (said, ended)
        assert time.monotonic() < deadline, said
        time.sleep(0.5)
    assert first.returncode == 100
    assert hass.process is not first
    wait_for_state(hass, "sensor.solar_panel_energy_harvested")
    wait_for(hass, "automation.made_in_the_ui", "on")
    assert hass.websocket({"type": "energy/get_prefs"})["energy_sources"] == prefs["energy_sources"]

    # A crash is not a restart: the supervisor says so and starts nothing.
    crashed = hass.process
    assert crashed is not None
    crashed.send_signal(signal.SIGKILL)
    watcher.join(timeout=30)
    assert not watcher.is_alive()
    [error] = ended
    assert "Home Assistant stopped on its own (exit code -9)" in str(error)
    assert hass.process is crashed
    assert said.count("demo: Home Assistant restarts, as asked from its UI") == 1
    # The chain step's address checks hashed off the event loop: nothing reported, either start.
    assert "Detected blocking call" not in hass.log.read_text()
