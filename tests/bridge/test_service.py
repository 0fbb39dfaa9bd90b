"""The bridge service in-process, on a simulated world: faults are degraded state, not crashes."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

import pytest

from hardware_bridge.base.errors import InvalidSettingError
from hardware_bridge.guards import GuardRefusalError
from hardware_bridge.runtime.periodic import run_every
from hardware_bridge.sim.host import PiThermal
from tests.support.clock import june_morning
from tests.support.service import in_process


@pytest.fixture
async def service(tmp_path):
    bridge = in_process(june_morning(), tmp_path)
    yield bridge
    await bridge.stop()


@pytest.fixture
async def hot_service(tmp_path):
    """A Pi whose SoC runs 45 °C above its enclosure with every core busy (no heatsink)."""
    scenario = replace(june_morning(), thermal=PiThermal(load_rise=45))
    bridge = in_process(scenario, tmp_path)
    yield bridge
    await bridge.stop()


async def test_an_i2c_fault_is_degraded_state_logged_once_and_recovers(service, caplog):
    caplog.set_level(logging.INFO)
    await service.sample()
    service.simulation.bus.inject_errors(0x41, 400)
    for _ in range(20):
        service.clock.advance(2)
        await service.sample()
    state = service.state()
    assert state.battery is None
    assert state.degraded["battery"].startswith("INA226@0x41: register")
    assert state.solar is not None  # the rest carries on
    assert caplog.text.count("INA226@0x41") == 1
    service.simulation.bus.clear_errors(0x41)  # the wire is fixed
    service.clock.advance(2)
    await service.sample()
    state = service.state()
    assert "battery" not in state.degraded
    assert state.battery.chip == "INA226@0x41"
    assert "battery: recovered" in caplog.text


async def test_a_stopped_engine_is_degraded_state_not_an_exception(service):
    await service.sample()
    await service.poll_worker()
    state = service.state()
    assert state.worker.state == "error"
    assert "Docker engine unreachable" in state.degraded["docker"]


async def test_subscribers_get_each_published_state_and_a_slow_one_only_the_newest(service):
    queue = service.publisher.subscribe()
    for _ in range(40):
        service.clock.advance(60)
        await service.sample()
    assert queue.qsize() == 16  # bounded: a client that does not read costs no memory
    newest = [queue.get_nowait() for _ in range(16)][-1]
    assert newest.time == service.state().time
    service.publisher.unsubscribe(queue)


async def test_near_the_witty_pi_cut_the_pi_is_shut_down_cleanly_once(service, caplog):
    await service.sample()
    volts = service.state().battery.voltage
    await service.set_low_voltage(round(volts - 0.5, 1), None)
    service.simulation.battery.soc = 2.0  # a long night later: within the guard's margin
    for _ in range(3):
        service.clock.advance(2)
        await service.sample()
    await service.settled()  # the shutdown runs as a task of its own
    state = service.state()
    assert "low_voltage" in state.guards.tripped
    assert caplog.text.count("would run systemctl poweroff (not in simulation)") == 1
    with pytest.raises(GuardRefusalError, match="low_voltage"):
        await service.start_worker()


async def test_a_loop_that_keeps_failing_logs_once_and_recovers(service, caplog):
    caplog.set_level(logging.INFO)
    await service.sample()
    calls = []

    async def flaky() -> None:
        calls.append(1)
        if len(calls) <= 5:
            raise KeyError("surprise")

    loop = asyncio.create_task(run_every(0.01, flaky, service.faults))
    try:
        async with asyncio.timeout(5):
            while len(calls) < 8:
                await asyncio.sleep(0.01)
    finally:
        loop.cancel()
    assert caplog.text.count("flaky failed") == 1
    assert "flaky: recovered" in caplog.text
    assert "flaky" not in service.state().degraded


async def test_clearing_the_cut_clears_its_guard(service):
    # Before: the guard stayed tripped and refused every start until a new cut was set.
    await service.sample()
    await service.set_low_voltage(round(service.state().battery.voltage - 0.5, 1), None)
    service.simulation.battery.soc = 2.0
    service.clock.advance(2)
    await service.sample()
    assert "low_voltage" in service.state().guards.tripped
    await service.set_low_voltage(None, None)
    assert "low_voltage" not in service.state().guards.tripped
    assert service.guards.refusal() is None


@pytest.mark.parametrize(
    ("threshold", "recovery", "message"),
    [
        (24.0, None, r"a cut at 24 V would shut the Pi down now: the battery is at 1\d\.\d\d V"),
        (11.0, 11.0, r"the recovery voltage \(11 V\) must be above the cut \(11 V\)"),
        (11.0, 10.5, r"the recovery voltage \(10.5 V\) must be above the cut"),
    ],
)
async def test_a_cut_that_cannot_work_is_refused_and_nothing_is_written(
    service, threshold, recovery, message
):
    # Before: a 24 V cut on a 13 V battery was written, and the Pi powered off at once.
    await service.sample()
    with pytest.raises(InvalidSettingError, match=message):
        await service.set_low_voltage(threshold, recovery)
    await service.sample()
    witty = service.state().witty_pi
    assert (witty.low_voltage_threshold, witty.recovery_voltage) == (None, None)
    assert service.state().guards.tripped == {}


async def test_the_worker_heating_the_soc_trips_the_temperature_guard_on_the_soc(hot_service):
    await hot_service.sample()
    assert hot_service.state().guards.tripped == {}
    hot_service.hardware.report_worker_cpu(100.0)  # the worker keeps a core busy
    for _ in range(10):
        hot_service.clock.advance(60)
        await hot_service.sample()
    state = hot_service.state()
    assert state.host.soc_temperature > 75
    assert state.witty_pi.temperature < 40  # the board's sensor alone would not see it
    assert state.guards.tripped["over_temperature"].startswith("SoC temperature")
    with pytest.raises(GuardRefusalError, match="SoC temperature"):
        await hot_service.start_worker()
    hot_service.hardware.report_worker_cpu(None)  # stopped: the SoC cools past 65 °C
    for _ in range(10):
        hot_service.clock.advance(60)
        await hot_service.sample()
    assert hot_service.state().guards.tripped == {}


async def test_a_refused_cut_and_recovery_pair_leaves_the_board_as_it_was(tmp_path):
    # Before: the driver wrote the cut, then refused the recovery: the board held half of it.
    service = in_process(june_morning("li_ion_gauge"), tmp_path)  # a Witty Pi 4 L3V7
    try:
        await service.sample()
        before = service.state().witty_pi
        with pytest.raises(InvalidSettingError, match=r"recovery voltage 5.0 V is outside 3.0-4.2"):
            await service.set_low_voltage(3.2, 5.0)
        service.clock.advance(61)  # past the Witty Pi's poll interval: a fresh read
        await service.sample()
        after = service.state().witty_pi
        for setting in ("low_voltage_threshold", "recovery_voltage"):
            assert getattr(after, setting) == getattr(before, setting)
    finally:
        await service.stop()
