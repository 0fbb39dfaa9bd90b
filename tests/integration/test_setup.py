"""A loaded entry against a real bridge: devices, entities, push, outages, actions, diagnostics."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from homeassistant.components.diagnostics import REDACTED
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from custom_components.positive_energy_worker import const
from custom_components.positive_energy_worker import coordinator as coordinator_module
from custom_components.positive_energy_worker.const import DOMAIN
from custom_components.positive_energy_worker.diagnostics import (
    async_get_config_entry_diagnostics,
)
from tests.integration.conftest import entry_for, set_up
from tests.support.bridge import BridgeProcess, write_config
from tests.support.client import request, until

pytestmark = pytest.mark.usefixtures("socket_enabled")


async def test_devices_hang_off_the_pi(hass: HomeAssistant, bridge) -> None:
    entry = await set_up(hass, bridge)
    registry = dr.async_get(hass)
    devices = {d.name: d for d in dr.async_entries_for_config_entry(registry, entry.entry_id)}
    assert set(devices) == {"Solar Pi", "Witty Pi", "Battery", "Solar panel", "iExec worker"}
    pi = devices["Solar Pi"]
    assert all(d.via_device_id == pi.id for name, d in devices.items() if name != "Solar Pi")
    await hass.config_entries.async_unload(entry.entry_id)


async def test_devices_read_like_a_product_page(hass: HomeAssistant, bridge) -> None:
    entry = await set_up(hass, bridge)
    registry = dr.async_get(hass)
    devices = {
        d.name: (d.manufacturer, d.model, d.hw_version, d.sw_version)
        for d in dr.async_entries_for_config_entry(registry, entry.entry_id)
    }
    assert devices["Solar Pi"] == (
        "Raspberry Pi Ltd", "Raspberry Pi", "simulated (default)", "hardware bridge 0.1.0"
    )  # fmt: skip
    assert devices["Witty Pi"] == ("UUGear", "Witty Pi 4", None, "7")
    assert devices["Battery"] == ("Generic", "LiFePO4 battery, 12.8 V 20 Ah", None, None)
    assert devices["Solar panel"] == ("Generic", "Solar panel", None, None)
    assert devices["iExec worker"][0] == "iExec"
    assert all(manufacturer and model for manufacturer, model, *_ in devices.values())
    await hass.config_entries.async_unload(entry.entry_id)


async def test_states_follow_the_bridge_by_push(hass: HomeAssistant, bridge) -> None:
    entry = await set_up(hass, bridge)
    await until(lambda: entry.runtime_data.coordinator.pushing, "the push")
    _, truth = await request(bridge, "GET", "/state")
    soc = hass.states.get("sensor.battery_state_of_charge")
    assert float(soc.state) == pytest.approx(truth["battery"]["soc"], abs=1.0)
    assert soc.attributes["unit_of_measurement"] == "%"
    power = hass.states.get("sensor.solar_panel_power")
    assert power.attributes["device_class"] == "power"
    energy = hass.states.get("sensor.solar_panel_energy_harvested")
    assert energy.attributes["state_class"] == "total_increasing"
    assert energy.attributes["device_class"] == "energy"
    assert energy.attributes["unit_of_measurement"] == "kWh"
    assert hass.states.get("sensor.witty_pi_power_source").state == "dc_input"
    assert hass.states.get("sensor.iexec_worker_state").state == "error"  # no Docker engine
    # The simulated day moves on: the push brings new values without any polling.
    first = hass.states.get("sensor.solar_panel_power").state
    await until(lambda: hass.states.get("sensor.solar_panel_power").state != first, "a new power")
    assert entry.runtime_data.coordinator.update_interval is None  # pushed, not polled
    await hass.config_entries.async_unload(entry.entry_id)


async def test_the_push_reconnects_as_soon_as_a_poll_reaches_the_bridge_again(
    hass: HomeAssistant, bridge, monkeypatch
) -> None:
    # A back-off far longer than the fallback poll: only the poll can bring the push back soon.
    monkeypatch.setattr(coordinator_module, "RECONNECT_DELAYS", (120.0,))
    monkeypatch.setattr(coordinator_module, "FALLBACK_POLL_INTERVAL", timedelta(seconds=3))
    entry = await set_up(hass, bridge)
    coordinator = entry.runtime_data.coordinator
    await until(lambda: coordinator.pushing, "the push")
    bridge.stop()
    await until(lambda: not coordinator.last_update_success, "the outage seen")
    bridge.start()  # on the same port
    back = time.monotonic()
    try:
        await until(lambda: coordinator.last_update_success, "a poll reaching the bridge", 30)
        await until(lambda: coordinator.pushing, "the push again", 30)
        assert time.monotonic() - back < 10  # the poll's 3 s and a connection, not 120 s
        assert coordinator.update_interval is None  # pushed again, no more polling
    finally:
        await hass.config_entries.async_unload(entry.entry_id)


async def test_a_bridge_that_goes_away_makes_entities_unavailable_then_they_come_back(
    hass: HomeAssistant, bridge
) -> None:
    entry = await set_up(hass, bridge)
    entity = "sensor.battery_state_of_charge"
    assert hass.states.get(entity).state != STATE_UNAVAILABLE
    bridge.kill()
    await until(lambda: hass.states.get(entity).state == STATE_UNAVAILABLE, "unavailable")
    restarted = BridgeProcess(bridge.data_dir, config=bridge.config, port=bridge.port).start()
    try:
        await until(lambda: hass.states.get(entity).state != STATE_UNAVAILABLE, "back", 60)
        assert entry.state is ConfigEntryState.LOADED  # no reload was needed
        await until(lambda: entry.runtime_data.coordinator.pushing, "the push again", 30)
    finally:
        await hass.config_entries.async_unload(entry.entry_id)
        restarted.stop()


CUT_SWITCH, CUT_NUMBER = "switch.witty_pi_low_voltage_cut", "number.witty_pi_cut_off"


async def test_the_low_voltage_cut_is_off_and_says_so_then_turns_on_and_off(
    hass: HomeAssistant, bridge
) -> None:
    entry = await set_up(hass, bridge)
    _, state = await request(bridge, "GET", "/state")
    assert state["witty_pi"]["low_voltage_threshold"] is None  # the simulated Witty Pi's is off
    assert hass.states.get(CUT_SWITCH).state == "off"
    # Off, the number shows the cut the switch would set (90 % of 12.8 V), never an empty box.
    assert hass.states.get(CUT_NUMBER).state == "11.5"
    assert hass.states.get(CUT_NUMBER).attributes["friendly_name"] == "Witty Pi Cut-off"

    await hass.services.async_call(
        "number", "set_value", {"entity_id": CUT_NUMBER, "value": 11.2}, blocking=True
    )
    _, state = await request(bridge, "GET", "/state")
    assert state["witty_pi"]["low_voltage_threshold"] is None  # still off: the switch decides
    assert hass.states.get(CUT_NUMBER).state == "11.2"

    await hass.services.async_call("switch", "turn_on", {"entity_id": CUT_SWITCH}, blocking=True)
    _, state = await request(bridge, "GET", "/state")
    assert state["witty_pi"]["low_voltage_threshold"] == 11.2
    await until(lambda: hass.states.get(CUT_SWITCH).state == "on", "the cut on")

    await hass.services.async_call(
        "number", "set_value", {"entity_id": CUT_NUMBER, "value": 11.4}, blocking=True
    )
    _, state = await request(bridge, "GET", "/state")
    assert state["witty_pi"]["low_voltage_threshold"] == 11.4  # in force: written at once
    await until(lambda: hass.states.get(CUT_NUMBER).state == "11.4", "the number")

    await hass.services.async_call("switch", "turn_off", {"entity_id": CUT_SWITCH}, blocking=True)
    _, state = await request(bridge, "GET", "/state")
    assert state["witty_pi"]["low_voltage_threshold"] is None
    await until(lambda: hass.states.get(CUT_SWITCH).state == "off", "the cut off")
    assert hass.states.get(CUT_NUMBER).state == "11.4"  # what turning it on again sets
    await hass.config_entries.async_unload(entry.entry_id)


async def schedule(hass: HomeAssistant, **fields: str) -> None:
    await hass.services.async_call(DOMAIN, "schedule_power", fields, blocking=True)


async def test_schedule_power_sets_the_witty_pi_alarms(hass: HomeAssistant, bridge) -> None:
    entry = await set_up(hass, bridge)
    _, state = await request(bridge, "GET", "/state")
    rtc = dt_util.parse_datetime(state["witty_pi"]["rtc_time"])
    shutdown = (rtc + timedelta(hours=2)).replace(microsecond=0)
    startup = (rtc + timedelta(hours=9)).replace(microsecond=0)
    await schedule(hass, next_shutdown=shutdown.isoformat(), next_startup=startup.isoformat())
    await until(
        lambda: hass.states.get("sensor.witty_pi_next_startup").state == startup.isoformat(),
        "the next startup sensor",
    )
    with pytest.raises(ServiceValidationError) as refused:
        await schedule(hass, next_shutdown=startup.isoformat(), next_startup=shutdown.isoformat())
    assert refused.value.translation_key == "startup_before_shutdown"
    await hass.config_entries.async_unload(entry.entry_id)


async def test_a_bad_time_is_refused_naming_the_value_given(hass: HomeAssistant, bridge) -> None:
    entry = await set_up(hass, bridge)
    with pytest.raises(ServiceValidationError) as refused:
        await schedule(hass, next_startup="tomorrow at 8")
    assert refused.value.translation_key == "invalid_time"
    assert refused.value.translation_placeholders == {
        "field": "next_startup",
        "value": "tomorrow at 8",
    }
    assert "“tomorrow at 8” is not a date and time for next_startup" in str(refused.value)
    await hass.config_entries.async_unload(entry.entry_id)


async def test_a_time_out_of_reach_is_refused_in_the_homes_local_time(
    hass: HomeAssistant, bridge
) -> None:
    await hass.config.async_set_time_zone("Europe/Paris")
    entry = await set_up(hass, bridge)
    _, state = await request(bridge, "GET", "/state")
    rtc = dt_util.parse_datetime(state["witty_pi"]["rtc_time"])  # the tests' June morning
    too_far = (rtc + timedelta(days=40)).replace(second=0, microsecond=0)
    with pytest.raises(ServiceValidationError) as refused:
        await schedule(hass, next_startup=too_far.isoformat())
    assert refused.value.translation_key == "time_out_of_reach"
    placeholders = refused.value.translation_placeholders
    paris = too_far.astimezone(dt_util.get_time_zone("Europe/Paris"))
    assert placeholders["value"] == f"{paris:%a %Y-%m-%d %H:%M} (CEST)"
    assert "+00:00" not in str(refused.value)
    assert placeholders["now"].endswith("(CEST)")
    await hass.config_entries.async_unload(entry.entry_id)


async def test_on_a_bridge_that_lives_today_a_schedule_for_tomorrow_is_accepted(
    hass: HomeAssistant, tmp_path
) -> None:
    config = write_config(tmp_path / "b.toml", docker_url=f"unix://{tmp_path}/none", tmp=tmp_path)
    bridge = BridgeProcess(tmp_path / "data", config=config, clock=()).start()  # unpinned
    try:
        entry = await set_up(hass, bridge)
        tomorrow = (dt_util.now() + timedelta(days=1)).replace(second=0, microsecond=0)
        await schedule(hass, next_startup=tomorrow.strftime("%Y-%m-%d %H:%M:%S"))
        await until(
            lambda: (
                hass.states.get("sensor.witty_pi_next_startup").state
                == tomorrow.astimezone(dt_util.UTC).isoformat()
            ),
            "tomorrow's startup",
        )
        await hass.config_entries.async_unload(entry.entry_id)
    finally:
        bridge.stop()


async def test_a_guard_refusal_comes_back_translated(hass: HomeAssistant, tmp_path) -> None:
    config = write_config(
        tmp_path / "b.toml",
        docker_url=f"unix://{tmp_path}/none",
        tmp=tmp_path,
        guards={"battery_floor": 99, "battery_resume": 99.5},
    )
    bridge = BridgeProcess(tmp_path / "data", config=config).start()
    try:
        entry = await set_up(hass, bridge)
        with pytest.raises(HomeAssistantError) as refused:
            await hass.services.async_call(
                "switch", "turn_on", {"entity_id": "switch.iexec_worker_compute"}, blocking=True
            )
        assert refused.value.translation_key == "refused_by_guard"
        assert "battery_low" in refused.value.translation_placeholders["reason"]
        attributes = hass.states.get("switch.iexec_worker_compute").attributes
        assert attributes["held_by_guard"] == ["battery_low"]
        await hass.config_entries.async_unload(entry.entry_id)
    finally:
        bridge.stop()


async def test_diagnostics_redact_the_token(hass: HomeAssistant, bridge) -> None:
    entry = await set_up(hass, bridge)
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert diagnostics["entry"]["data"]["token"] == REDACTED
    assert bridge.token not in str(diagnostics)
    assert diagnostics["device"]["device_id"] == entry.unique_id
    assert diagnostics["state"]["battery"]["chip"] == "INA226@0x41"
    window = diagnostics["window"]
    assert window["auto"] is False
    assert window["settings"]["source"] == "off_grid"
    assert window["state"]["decision"]["reason"]  # the policy's Reason, as text
    assert "changed_at" in window["policy"]
    await hass.config_entries.async_unload(entry.entry_id)


async def test_a_bridge_too_old_raises_a_repair_issue(
    hass: HomeAssistant, bridge, monkeypatch
) -> None:
    monkeypatch.setattr("custom_components.positive_energy_worker.MIN_BRIDGE_VERSION", "9.0.0")
    entry = await set_up(hass, bridge)
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"bridge_too_old_{entry.entry_id}")
    assert issue is not None
    assert issue.translation_placeholders == {"version": "0.1.0", "minimum": "9.0.0"}
    await hass.config_entries.async_unload(entry.entry_id)
    assert const.MIN_BRIDGE_VERSION == "0.1.0"


async def test_an_unreachable_bridge_is_retried_not_failed(hass: HomeAssistant, bridge) -> None:
    entry = entry_for(bridge)
    bridge.stop()
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_RETRY


async def test_optional_entities_are_disabled_by_default(hass: HomeAssistant, bridge) -> None:
    entry = await set_up(hass, bridge)
    registry = er.async_get(hass)
    disabled = {
        e.entity_id
        for e in er.async_entries_for_config_entry(registry, entry.entry_id)
        if e.disabled_by is not None
    }
    assert "sensor.battery_current" in disabled
    assert "sensor.iexec_worker_memory_use" in disabled
    assert "sensor.battery_state_of_charge" not in disabled
    await hass.config_entries.async_unload(entry.entry_id)
