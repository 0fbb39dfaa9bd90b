"""The worker switch on the real Docker engine: on starts the stand-in worker, off drains it."""

from __future__ import annotations

import pytest
from homeassistant.core import HomeAssistant

from custom_components.positive_energy_worker.const import DOMAIN
from tests.integration.conftest import entry_for
from tests.support.bridge import BridgeProcess, write_config
from tests.support.client import request, until

pytestmark = [pytest.mark.usefixtures("socket_enabled"), pytest.mark.xdist_group("docker")]
SWITCH = "switch.iexec_worker_compute"


async def test_the_switch_starts_and_drains_the_worker(
    hass: HomeAssistant, tmp_path, docker_engine
) -> None:
    config = write_config(tmp_path / "b.toml", docker_url=docker_engine.url, tmp=tmp_path)
    bridge = BridgeProcess(tmp_path / "data", config=config).start()
    entry = entry_for(bridge)
    entry.add_to_hass(hass)
    try:
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        assert hass.states.get(SWITCH).state == "off"
        await hass.services.async_call("switch", "turn_on", {"entity_id": SWITCH}, blocking=True)
        assert hass.states.get(SWITCH).state == "on"
        state = lambda key: hass.states.get(f"sensor.iexec_worker_{key}").state  # noqa: E731
        await until(lambda: state("state") == "running", "the worker running")
        await until(lambda: state("tasks_running") == "1", "a task in progress")

        await hass.services.async_call("switch", "turn_off", {"entity_id": SWITCH}, blocking=True)
        await until(lambda: state("state") == "draining", "the drain")
        await until(lambda: state("state") == "stopped", "the stop", 60)
        assert hass.states.get(SWITCH).state == "off"
        _, worker = await request(bridge, "GET", "/worker")
        assert worker["tasks_completed"] == worker["tasks_started"] >= 1  # the task finished
        assert worker["forced_stop"] is False

        # The same through the actions, targeting the entry.
        await hass.services.async_call(
            DOMAIN, "start_worker", {"config_entry_id": entry.entry_id}, blocking=True
        )
        await until(lambda: state("state") == "running", "the worker again")
        await hass.services.async_call(
            DOMAIN,
            "stop_worker",
            {"config_entry_id": entry.entry_id, "drain": False},
            blocking=True,
        )
        _, worker = await request(bridge, "GET", "/worker")
        assert (worker["state"], worker["forced_stop"]) == ("stopped", True)
    finally:
        await hass.config_entries.async_unload(entry.entry_id)
        bridge.stop()
