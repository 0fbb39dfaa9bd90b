"""The guards: unit rules with hysteresis, and a discharging battery stopping a real worker."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime

import aiohttp
import pytest

from hardware_bridge.api.app import PREFIX
from hardware_bridge.base.errors import ConfigError
from hardware_bridge.config.loader import parse_config
from hardware_bridge.guards import (
    BATTERY_LOW,
    LOW_VOLTAGE,
    OVER_TEMPERATURE,
    GuardConfig,
    GuardRefusalError,
    Guards,
)
from hardware_bridge.hardware.readings import BatteryReading, HostReading, Snapshot, WittyPiReading
from hardware_bridge.power.counters import EnergyCounters
from hardware_bridge.sim.scenario import SCENARIO_DIR
from tests.support.bridge import BridgeProcess, write_config
from tests.support.client import request, wait_for
from tests.support.machine import needs_containers

NOW = datetime(2026, 6, 21, 12, tzinfo=UTC)
NO_ENERGY = EnergyCounters().energy()


def snapshot(soc=60.0, volts=13.2, temperature=35.0, threshold=None, recovery=None):
    battery = BatteryReading(volts, -0.5, -6.6, soc, "coulomb", "lifepo4", 20, False, "INA226@0x41")
    witty = WittyPiReading(
        "Witty Pi 4", 0x26, 7, volts, 5.1, 1.0, 5.1, 1, "dc_input", temperature, threshold,
        recovery, 0, None, False, NOW, None, None, NOW,
    )  # fmt: skip
    return Snapshot(time=NOW, battery=battery, solar=None, witty_pi=witty, energy=NO_ENERGY)


def test_the_battery_guard_trips_below_the_floor_and_clears_past_the_resume_point():
    guards = Guards(GuardConfig(battery_floor=20, battery_resume=30))
    assert guards.evaluate(snapshot(soc=25)).tripped == ()
    change = guards.evaluate(snapshot(soc=19.9))
    assert change.tripped == (BATTERY_LOW,)
    with pytest.raises(GuardRefusalError, match=r"19\.9 % \(floor 20 %\).*again from 30 %"):
        guards.check_start(wanted=False)
    assert guards.evaluate(snapshot(soc=25)).cleared == ()  # hysteresis: not yet
    with pytest.raises(GuardRefusalError, match=r"25\.0 % \(floor 20 %\)"):
        guards.check_start(wanted=False)
    assert guards.evaluate(snapshot(soc=30)).cleared == (BATTERY_LOW,)
    guards.check_start(wanted=False)


def test_the_temperature_guard_has_hysteresis():
    guards = Guards(GuardConfig(max_temperature=70, resume_temperature=60))
    assert guards.evaluate(snapshot(temperature=71)).tripped == (OVER_TEMPERATURE,)
    assert guards.evaluate(snapshot(temperature=65)).cleared == ()
    assert guards.evaluate(snapshot(temperature=59.5)).cleared == (OVER_TEMPERATURE,)


def with_soc(snapshot, celsius):
    """``snapshot`` with a host whose SoC is at ``celsius`` (None: the host does not say)."""
    return replace(snapshot, host=HostReading(None, None, celsius, None, None, None, None, None))


def test_the_temperature_guard_watches_the_soc_not_the_cooler_board():
    guards = Guards(GuardConfig())  # 75 °C, and 65 °C to resume
    cool_board = snapshot(temperature=40)
    assert guards.evaluate(with_soc(cool_board, 75)).tripped == ()
    assert guards.evaluate(with_soc(cool_board, 75.5)).tripped == (OVER_TEMPERATURE,)
    with pytest.raises(GuardRefusalError, match=r"SoC temperature 75\.5 °C \(ceiling 75 °C\)"):
        guards.check_start(wanted=False)
    assert guards.evaluate(with_soc(cool_board, 65.5)).cleared == ()
    assert guards.evaluate(with_soc(cool_board, 65)).cleared == (OVER_TEMPERATURE,)


def test_without_the_socs_temperature_the_witty_pis_sensor_stands_in():
    guards = Guards(GuardConfig())
    assert guards.evaluate(with_soc(snapshot(temperature=76), None)).tripped == (OVER_TEMPERATURE,)
    assert guards.refusal() == (
        "over_temperature: Witty Pi temperature 76.0 °C (ceiling 75 °C): "
        "the worker may run again at 65 °C"
    )


def test_the_low_voltage_guard_asks_for_a_clean_shutdown_before_the_cut():
    guards = Guards(GuardConfig(low_voltage_margin=0.2))
    assert guards.evaluate(snapshot(volts=12.25, threshold=12.0)).tripped == ()
    change = guards.evaluate(snapshot(volts=12.15, threshold=12.0, recovery=12.8))
    assert change.tripped == (LOW_VOLTAGE,)
    assert change.shutdown
    assert guards.evaluate(snapshot(volts=12.7, threshold=12.0, recovery=12.8)).cleared == ()
    assert guards.evaluate(snapshot(volts=12.8, threshold=12.0, recovery=12.8)).cleared == (
        LOW_VOLTAGE,
    )


def test_no_reading_no_verdict():
    guards = Guards(GuardConfig())
    nothing = Snapshot(time=NOW, battery=None, solar=None, witty_pi=None, energy=NO_ENERGY)
    assert guards.evaluate(nothing).tripped == ()


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"battery_floor": 30, "battery_resume": 20}, "battery_resume: must be above"),
        ({"max_temperature": 50, "resume_temperature": 55}, "resume_temperature: must be below"),
        ({"shutdown_command": "poweroff"}, "expected a list of strings"),
        ({"floor": 10}, r"unknown key\(s\) floor"),
    ],
)
def test_bad_guard_settings_are_refused(table, message):
    with pytest.raises(ConfigError, match=message):
        parse_config({"guards": table})


def discharging_scenario(path):
    """A Li-ion cell with a fuel gauge just above the floor before dawn, at 600x real time."""
    text = (SCENARIO_DIR / "li_ion_gauge.toml").read_text()
    text = text.replace("initial_soc = 70", "initial_soc = 22")
    text = text.replace("start = 2026-05-10T09:00:00", "start = 2026-05-10T04:45:00")
    text = text.replace("speed = 60", "speed = 600")
    path.write_text(text)
    return path


@pytest.mark.xdist_group("docker")
@pytest.mark.usefixtures("socket_enabled")
@needs_containers
async def test_a_discharging_battery_stops_the_worker_and_start_waits_for_recovery(
    tmp_path, docker_engine, bridges
):
    config = write_config(
        tmp_path / "bridge.toml",
        docker_url=docker_engine.url,
        tmp=tmp_path,
        guards={"battery_floor": 20, "battery_resume": 30, "drain_timeout": 10},
    )
    bridge = BridgeProcess(
        tmp_path / "data",
        config=config,
        scenario=str(discharging_scenario(tmp_path / "s.toml")),
        clock=(),  # the scenario's own dawn
    ).start()
    bridges.append(bridge)
    status, _ = await request(bridge, "POST", "/worker/start")
    assert status == 200
    headers = {"Authorization": f"Bearer {bridge.token}"}
    async with (
        aiohttp.ClientSession(headers=headers) as session,
        session.ws_connect(f"{bridge.url}{PREFIX}/events") as ws,
    ):
        async with asyncio.timeout(30):
            while True:
                state = (await ws.receive_json()).get("data")
                if state and state["battery"]["soc"] < 20:
                    break
    # The very state that shows the battery under its floor shows the guard acting.
    assert BATTERY_LOW in state["guards"]["tripped"]
    assert state["worker"]["state"] in ("draining", "stopped")

    status, refusal = await request(bridge, "POST", "/worker/start")
    assert (status, refusal["error"]) == (409, "refused_by_guard")
    assert "from 30 %" in refusal["message"]

    await wait_for(bridge, lambda s: s["worker"]["state"] == "stopped", "the guard's stop")
    recovered = await wait_for(
        bridge, lambda s: s["battery"]["soc"] >= 30, "the sun to charge past 30 %", 60
    )
    assert recovered["guards"]["tripped"] == {}
    status, worker = await request(bridge, "POST", "/worker/start")
    assert status == 200
    assert worker["state"] == "running"
