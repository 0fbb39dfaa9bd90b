"""Auto mode against real bridges, driven by real entity state changes.

The home's meters and devices are states set in Home Assistant; the window's entities, the
policy's timers and the worker's commands are the integration's own, at a real bridge.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from homeassistant.core import HomeAssistant, State
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    async_fire_time_changed,
    mock_restore_cache,
)

from custom_components.positive_energy_worker import compute_window
from custom_components.positive_energy_worker.reserve import FULL_SOC
from tests.integration.conftest import entry_for
from tests.support.bridge import BridgeProcess, write_config
from tests.support.client import request, until

pytestmark = pytest.mark.usefixtures("socket_enabled")

GRID = "sensor.grid_power"
WATTS = {"unit_of_measurement": "W", "device_class": "power"}
WINDOW = "binary_sensor.iexec_worker_compute_window"
SURPLUS = "binary_sensor.solar_pi_solar_surplus"
SURPLUS_W = "sensor.solar_pi_surplus"
IDLE = "binary_sensor.solar_pi_home_devices_idle"
AUTO = "switch.iexec_worker_auto_mode"
# A grid-tied home whose window follows the meter at once: no delays, no minimum times, no
# riding through a dip.
PROMPT: dict[str, Any] = {
    "surplus_source": "grid",
    "grid_power": GRID,
    "smoothing_s": 0,
    "start_margin_w": 10,
    "stop_margin_w": 0,
    "start_delay_s": 0,
    "stop_delay_s": 0,
    "min_on_s": 0,
    "min_off_s": 0,
    "ride_wh": 0,
}
EXPORTING, IMPORTING = "-200", "100"  # W at the meter, import positive


async def set_up(hass: HomeAssistant, bridge: BridgeProcess, **options: Any):
    entry = entry_for(bridge, **options)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def spy_on_commands(
    entry, monkeypatch, timeline: list[str] | None = None
) -> list[tuple[str, dict[str, Any]]]:
    """Record each worker command as the client is asked for it (then let it go out); in
    ``timeline``, when each was asked for and when its answer came."""
    calls: list[tuple[str, dict[str, Any]]] = []
    timeline = [] if timeline is None else timeline
    client = entry.runtime_data.client

    def recorded(name: str):
        send = getattr(client, name)

        async def answered(request: Any) -> Any:
            try:
                return await request
            finally:
                timeline.append(f"{name} answered")

        def command(*args: Any, **kwargs: Any):
            calls.append((name, kwargs))
            timeline.append(f"{name} asked")
            return answered(send(*args, **kwargs))

        return command

    for name in ("start_worker", "stop_worker"):
        monkeypatch.setattr(client, name, recorded(name))
    return calls


async def change(hass: HomeAssistant, entity_id: str, state: str, calls: list) -> list:
    """Set a state; return the commands already asked for when a callback queued right after
    the change runs.

    Home Assistant hands a state change to its trackers on the loop's next turn; a command in
    that list was sent from within that hand-over: no timer, no poll, no later pass. Then let
    the loop finish what was started (the request itself).
    """
    hass.states.async_set(entity_id, state, WATTS)
    seen: list = []
    hass.loop.call_soon(lambda: seen.extend(calls))
    await hass.async_block_till_done()
    return seen


@pytest.mark.xdist_group("docker")
async def test_auto_mode_starts_the_worker_as_the_export_begins_and_drains_it_as_it_ends(
    hass: HomeAssistant, tmp_path, docker_engine, monkeypatch
) -> None:
    config = write_config(tmp_path / "b.toml", docker_url=docker_engine.url, tmp=tmp_path)
    bridge = BridgeProcess(tmp_path / "data", config=config).start()
    hass.states.async_set(GRID, IMPORTING, WATTS)
    try:
        entry = await set_up(hass, bridge, **PROMPT)
        calls = spy_on_commands(entry, monkeypatch)
        await hass.services.async_call("switch", "turn_on", {"entity_id": AUTO}, blocking=True)
        assert hass.states.get(WINDOW).state == "off"
        assert calls == []  # the window is closed and so is the worker: nothing to say

        seen = await change(hass, GRID, EXPORTING, calls)
        assert seen == [("start_worker", {})]
        assert hass.states.get(WINDOW).state == "on"
        assert hass.states.get(WINDOW).attributes["reason"] == "surplus"
        _, worker = await request(bridge, "GET", "/worker")
        assert worker["desired_running"] is True  # the bridge has it, no time having passed

        state = lambda key: hass.states.get(f"sensor.iexec_worker_{key}").state  # noqa: E731
        await until(lambda: state("tasks_running") == "1", "a task in progress")
        seen = await change(hass, GRID, IMPORTING, calls)
        assert seen == [("start_worker", {}), ("stop_worker", {"drain": True})]
        assert hass.states.get(WINDOW).attributes["reason"] == "no_surplus"
        await until(lambda: state("state") == "stopped", "the drain to end", 60)
        _, worker = await request(bridge, "GET", "/worker")
        assert worker["tasks_completed"] == worker["tasks_started"] >= 1  # the task finished
        assert worker["forced_stop"] is False
        await hass.config_entries.async_unload(entry.entry_id)
    finally:
        bridge.stop()


async def test_without_auto_mode_the_window_moves_and_the_worker_is_left_alone(
    hass: HomeAssistant, bridge, monkeypatch
) -> None:
    hass.states.async_set(GRID, IMPORTING, WATTS)
    entry = await set_up(hass, bridge, **PROMPT)
    calls = spy_on_commands(entry, monkeypatch)
    assert hass.states.get(AUTO).state == "off"
    assert await change(hass, GRID, EXPORTING, calls) == []
    assert hass.states.get(WINDOW).state == "on"
    assert hass.states.get(SURPLUS).state == "on"
    assert float(hass.states.get(SURPLUS_W).state) == pytest.approx(200.0)  # worker idle
    await change(hass, GRID, IMPORTING, calls)
    assert (hass.states.get(WINDOW).state, hass.states.get(SURPLUS).state) == ("off", "off")
    assert calls == []
    await hass.config_entries.async_unload(entry.entry_id)


async def test_turning_auto_mode_on_brings_the_worker_in_line_with_the_window(
    hass: HomeAssistant, bridge, monkeypatch, caplog
) -> None:
    hass.states.async_set(GRID, EXPORTING, WATTS)
    entry = await set_up(hass, bridge, **PROMPT)
    calls = spy_on_commands(entry, monkeypatch)
    assert hass.states.get(WINDOW).state == "on"
    await hass.services.async_call("switch", "turn_on", {"entity_id": AUTO}, blocking=True)
    await hass.async_block_till_done()
    assert calls == [("start_worker", {})]
    # This bridge has no Docker engine: it refuses, and auto mode says so.
    assert "auto mode could not start the worker" in caplog.text
    assert hass.states.get(AUTO).state == "on"
    await hass.config_entries.async_unload(entry.entry_id)


async def test_a_change_of_mind_while_a_command_is_in_flight_follows_it(
    hass: HomeAssistant, bridge, monkeypatch
) -> None:
    hass.states.async_set(GRID, IMPORTING, WATTS)
    entry = await set_up(hass, bridge, **PROMPT)
    timeline: list[str] = []
    calls = spy_on_commands(entry, monkeypatch, timeline)
    await hass.services.async_call("switch", "turn_on", {"entity_id": AUTO}, blocking=True)
    hass.states.async_set(GRID, EXPORTING, WATTS)
    await asyncio.sleep(0)  # one pass: the window opens, the start is on the wire...
    assert timeline == ["start_worker asked"]
    hass.states.async_set(GRID, IMPORTING, WATTS)  # ...when it closes again
    await hass.async_block_till_done()
    # One command at a time, the latest last.
    assert timeline == [
        "start_worker asked",
        "start_worker answered",
        "stop_worker asked",
        "stop_worker answered",
    ]
    assert calls[-1] == ("stop_worker", {"drain": True})
    await hass.config_entries.async_unload(entry.entry_id)


async def test_a_busy_device_or_consumer_closes_the_window_and_is_named(
    hass: HomeAssistant, bridge
) -> None:
    hass.states.async_set(GRID, EXPORTING, WATTS)
    hass.states.async_set("media_player.tv", "off")
    hass.states.async_set("binary_sensor.ev_charging", "off")
    hass.states.async_set("light.desk", "unavailable")
    entry = await set_up(
        hass,
        bridge,
        **PROMPT,
        idle_entities=["media_player.tv", "light.desk"],
        priority_consumers=["binary_sensor.ev_charging"],
    )
    assert hass.states.get(WINDOW).state == "on"
    idle = hass.states.get(IDLE)
    assert idle.state == "on"
    assert idle.attributes["unknown"] == ["light.desk"]  # unheard counts as idle, named apart

    hass.states.async_set("media_player.tv", "playing")
    await hass.async_block_till_done()
    assert hass.states.get(IDLE).state == "off"
    assert hass.states.get(IDLE).attributes["busy"] == ["media_player.tv"]
    window = hass.states.get(WINDOW)
    assert (window.state, window.attributes["reason"]) == ("off", "devices_busy")
    assert window.attributes["detail"] == "media_player.tv"

    hass.states.async_set("media_player.tv", "off")
    hass.states.async_set("binary_sensor.ev_charging", "on")
    await hass.async_block_till_done()
    assert hass.states.get(IDLE).state == "on"  # a consumer is no home device...
    window = hass.states.get(WINDOW)
    assert (window.state, window.attributes["detail"]) == ("off", "binary_sensor.ev_charging")
    await hass.config_entries.async_unload(entry.entry_id)


async def test_the_tick_lets_a_start_delay_expire_in_a_quiet_home(
    hass: HomeAssistant, bridge, monkeypatch
) -> None:
    hass.states.async_set(GRID, IMPORTING, WATTS)
    entry = await set_up(hass, bridge, **{**PROMPT, "start_delay_s": 60})
    hass.states.async_set(GRID, EXPORTING, WATTS)
    await hass.async_block_till_done()
    assert hass.states.get(WINDOW).attributes["reason"] == "start_delay"
    # A minute on the window's clock; then only the due timers run, the window's tick among
    # them, with no await (no push, no state change) before the window is read.
    later = dt_util.utcnow() + timedelta(seconds=61)
    monkeypatch.setattr(compute_window, "utcnow", lambda: later)
    async_fire_time_changed(hass, later)
    window = hass.states.get(WINDOW)
    assert (window.state, window.attributes["reason"]) == ("on", "surplus")
    await hass.config_entries.async_unload(entry.entry_id)


async def test_auto_mode_and_the_policy_timers_survive_a_restart(
    hass: HomeAssistant, bridge, hass_storage
) -> None:
    mock_restore_cache(hass, [State(AUTO, "on")])
    hass.states.async_set(GRID, IMPORTING, WATTS)
    entry = await set_up(hass, bridge, **{**PROMPT, "start_delay_s": 600})
    assert hass.states.get(AUTO).state == "on"
    hass.states.async_set(GRID, EXPORTING, WATTS)
    await hass.async_block_till_done()
    assert hass.states.get(WINDOW).attributes["reason"] == "start_delay"
    above_since = entry.runtime_data.window.policy.state.above_since
    assert above_since is not None

    await hass.config_entries.async_unload(entry.entry_id)
    saved = hass_storage[f"positive_energy_worker.{entry.entry_id}.policy"]["data"]
    assert saved["policy"]["above_since"] == above_since
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.runtime_data.window.policy.state.above_since == above_since
    assert hass.states.get(AUTO).state == "on"
    assert hass.states.get(WINDOW).attributes["reason"] == "start_delay"  # still waiting
    await hass.config_entries.async_unload(entry.entry_id)


async def test_off_grid_the_surplus_comes_from_the_bridges_own_readings(
    hass: HomeAssistant, bridge
) -> None:
    entry = await set_up(hass, bridge)  # the default source
    await until(lambda: entry.runtime_data.coordinator.pushing, "the push")
    assert hass.states.get(SURPLUS_W).state not in ("unknown", "unavailable")
    window = hass.states.get(WINDOW)
    # The reasons that read the bridge's battery and panel (a fresh install lends nothing of the
    # pack: the reserve holds the worker until the sun has filled it).
    reasons = {"battery_reserve", "battery_spare", "no_surplus", "surplus", "probe"}
    assert window.attributes["reason"] in reasons
    await hass.config_entries.async_unload(entry.entry_id)


async def test_off_grid_the_reserve_is_the_nights_need_and_its_memory_is_kept(
    hass: HomeAssistant, bridge, hass_storage
) -> None:
    entry = await set_up(hass, bridge, battery_reserve_soc=0)
    await until(lambda: entry.runtime_data.coordinator.pushing, "the push")
    window = entry.runtime_data.window
    # A fresh install has seen no whole day of its panel yet: it lends compute nothing of the
    # pack (the sun fills it first; a full one computes on what would be curtailed), whatever the
    # reserve option says.
    reserve = window._observer.observe(
        dt_util.utcnow().timestamp(), entry.runtime_data.coordinator.data
    ).observation.reserve_soc
    assert reserve == FULL_SOC
    await hass.config_entries.async_unload(entry.entry_id)
    harvest = hass_storage[f"positive_energy_worker.{entry.entry_id}.policy"]["data"]["observer"][
        "harvest"
    ]
    assert harvest["last"] is not None  # the panel's readings are booked and kept
