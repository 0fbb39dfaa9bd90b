"""The Pi itself in Home Assistant: its load, SoC temperature, memory, disk and firmware flags."""

from __future__ import annotations

import copy

import pytest
from homeassistant.const import STATE_OFF, EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from custom_components.positive_energy_worker.binary_sensor import BINARY_SENSORS
from custom_components.positive_energy_worker.models import BridgeState, parse
from custom_components.positive_energy_worker.sensor import SENSORS
from tests.integration.conftest import set_up
from tests.support.client import request

pytestmark = pytest.mark.usefixtures("socket_enabled")


async def test_the_pi_shows_its_load_temperature_disk_and_flags(hass: HomeAssistant, bridge):
    entry = await set_up(hass, bridge)
    _, truth = await request(bridge, "GET", "/state")
    host = truth["host"]

    temperature = hass.states.get("sensor.solar_pi_soc_temperature")
    assert float(temperature.state) == pytest.approx(host["soc_temperature"], abs=1.0)
    assert temperature.attributes["device_class"] == "temperature"
    assert temperature.attributes["unit_of_measurement"] == "°C"
    load = hass.states.get("sensor.solar_pi_cpu_load")
    assert float(load.state) == pytest.approx(host["cpu_percent"])
    assert load.attributes["unit_of_measurement"] == "%"
    disk = hass.states.get("sensor.solar_pi_disk_free")
    assert float(disk.state) == pytest.approx(host["free_disk_bytes"] / 1e9, abs=0.05)
    assert disk.attributes["unit_of_measurement"] == "GB"
    for flag in ("under_voltage", "throttled"):
        state = hass.states.get(f"binary_sensor.solar_pi_{flag}")
        assert state.state == STATE_OFF
        assert state.attributes["device_class"] == "problem"

    registry = er.async_get(hass)
    for optional in ("sensor.solar_pi_cpu_load_without_the_worker", "sensor.solar_pi_memory_used"):
        assert registry.async_get(optional).disabled_by is er.RegistryEntryDisabler.INTEGRATION
    flag = registry.async_get("binary_sensor.solar_pi_under_voltage")
    assert flag.entity_category is EntityCategory.DIAGNOSTIC
    await hass.config_entries.async_unload(entry.entry_id)


async def test_off_a_pi_what_the_host_does_not_show_is_no_entity(bridge):
    _, document = await request(bridge, "GET", "/state")
    off_a_pi = copy.deepcopy(document)
    off_a_pi["host"].update(soc_temperature=None, throttling=None)
    state = parse(BridgeState, off_a_pi, "state")
    made = {d.key for d in (*SENSORS, *BINARY_SENSORS) if d.part == "pi" and d.exists_fn(state)}
    assert made == {
        "energy_consumed",
        "cpu_percent",
        "background_cpu_percent",
        "memory_used_percent",
        "free_disk_bytes",
    }
    on_a_pi = parse(BridgeState, document, "state")
    made = {d.key for d in (*SENSORS, *BINARY_SENSORS) if d.part == "pi" and d.exists_fn(on_a_pi)}
    assert {"soc_temperature", "under_voltage", "throttled"} <= made
