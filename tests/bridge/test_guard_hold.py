"""A guard holds the worker stopped whatever happens: an engine frozen across the trip, a bridge
restarted below the floor. Real engine (frozen with SIGSTOP), real worker container."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from hardware_bridge.config.loader import load_config
from hardware_bridge.guards import BATTERY_LOW
from tests.support.bridge import BridgeProcess, write_config
from tests.support.client import request, until, wait_for
from tests.support.clock import june_morning
from tests.support.machine import needs_containers
from tests.support.service import in_process

pytestmark = [
    pytest.mark.xdist_group("docker"),
    pytest.mark.usefixtures("socket_enabled", "docker_sdk_allowed"),
]

# The guards' drain timeout. The stand-in's tasks outlast it, so only the guard's kill stops the
# worker within it: a drain that merely finished its task would not pass.
GRACE = 5.0
LONG_TASKS = {"environment": {"STANDIN_TASK_SECONDS": "300", "STANDIN_IDLE_SECONDS": "0"}}
# Longer than the Docker client's own timeout (20 s): every command sent into the freeze fails.
FROZEN = 25.0
# After the engine answers again: one look (the poll interval), the kill and its wait.
SLACK = 10.0


def container_running(docker_engine, name):
    inspected = docker_engine.docker("inspect", name, check=False)
    return inspected.returncode == 0 and json.loads(inspected.stdout)[0]["State"]["Running"]


@needs_containers
async def test_a_trip_while_the_engine_is_frozen_stops_the_worker_once_it_answers(
    tmp_path, docker_engine
):
    # Before: the guard's one drain was sent into the freeze, failed, and was never tried again;
    # the worker ran on under a tripped battery guard until the battery was flat.
    config = write_config(
        tmp_path / "bridge.toml",
        docker_url=docker_engine.url,
        tmp=tmp_path,
        worker=LONG_TASKS,
        guards={"battery_floor": 20, "battery_resume": 30, "drain_timeout": GRACE},
    )
    serve = load_config(config, standin_dir=tmp_path).serve
    service = in_process(june_morning("li_ion_gauge"), tmp_path, serve)  # the gauge's own SoC
    await service.start()
    try:
        await service.start_worker()
        await until(lambda: service.state().worker.tasks_running == 1, "a task under way")
        with docker_engine.frozen():
            service.simulation.battery.soc = 15.0  # the sample loop reads it within a second
            service.clock.advance(2)
            await until(lambda: BATTERY_LOW in service.state().guards.tripped, "the trip")
            await asyncio.sleep(FROZEN)
            hold = service.state().guards.hold
            assert hold.worker_stopped is False
            assert hold.seconds_left < 0  # overdue: nobody answered
        answered = time.monotonic()
        await until(
            lambda: service.state().guards.hold.worker_stopped,
            "the guard's stop once the engine answers",
            GRACE + SLACK,
        )
        assert time.monotonic() - answered < GRACE + SLACK
        name = serve.worker.container_name
        assert not await asyncio.to_thread(container_running, docker_engine, name)
        state = service.state()
        assert state.worker.state == "stopped"
        assert state.worker.forced_stop is True
        assert state.worker.desired_running is True  # it runs again when the guard clears
    finally:
        await service.stop()
        docker_engine.docker("rm", "-f", serve.worker.container_name, check=False)


@needs_containers
async def test_a_bridge_restarted_below_the_floor_stops_the_worker_it_finds_running(
    tmp_path, docker_engine, bridges
):
    # Before: the first sample tripped the guard before the first look had seen the worker, so
    # nothing stopped it, and no later pass looked at the guards again.
    def bridge_with(guards):
        config = write_config(
            tmp_path / "bridge.toml",
            docker_url=docker_engine.url,
            tmp=tmp_path,
            worker=LONG_TASKS,
            guards=guards,
        )
        return BridgeProcess(tmp_path / "data", config=config)

    first = bridge_with({"drain_timeout": GRACE}).start()
    bridges.append(first)
    await request(first, "POST", "/worker/start")
    await wait_for(first, lambda s: s["worker"]["tasks_running"] == 1, "a task under way")
    first.stop()  # the worker runs on: a bridge never waits for a drain on its way out
    name = f"pew-test-{tmp_path.name[-12:]}"
    assert container_running(docker_engine, name)

    # The SoC is near 60 %: a floor of 95 % is a bridge that comes back on a flat battery.
    second = bridge_with({"battery_floor": 95, "battery_resume": 99, "drain_timeout": GRACE})
    bridges.append(second)
    with docker_engine.frozen():  # and to an engine that does not answer yet
        offset = second.launch()
        await asyncio.sleep(FROZEN)
    answered = time.monotonic()
    await asyncio.to_thread(second.wait_listening, offset)
    left = GRACE + SLACK - (time.monotonic() - answered)
    state = await wait_for(
        second, lambda s: s["worker"]["state"] == "stopped", "the guard's stop", max(left, 0.1)
    )
    assert BATTERY_LOW in state["guards"]["tripped"]
    assert state["guards"]["hold"]["worker_stopped"] is True
    assert not container_running(docker_engine, name)
