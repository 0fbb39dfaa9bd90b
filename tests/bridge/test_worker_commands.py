"""Worker commands under contention, on a real engine: the latest wins, a kill queues behind
nothing, an engine outage is a 503, and a shutdown never waits for a drain."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import pytest

from tests.support.bridge import BridgeProcess, write_config
from tests.support.client import request, wait_for
from tests.support.machine import needs_containers

pytestmark = [pytest.mark.xdist_group("docker"), pytest.mark.usefixtures("socket_enabled")]
UNIT = Path(__file__).resolve().parents[2] / "deploy" / "hardware-bridge.service"
LONG_TASKS = {"STANDIN_TASK_SECONDS": "90", "STANDIN_IDLE_SECONDS": "0"}


@pytest.fixture
def bridge(tmp_path, docker_engine, bridges):
    def start(environment=None, guards=None, **worker):
        if environment:
            worker["environment"] = environment
        config = write_config(
            tmp_path / "bridge.toml",
            docker_url=docker_engine.url,
            tmp=tmp_path,
            worker=worker,
            guards=guards,
        )
        started = BridgeProcess(tmp_path / "data", config=config).start()
        bridges.append(started)
        return started

    return start


def settled(state):
    """The worker is where its owner wants it, with no command in flight."""
    worker = state["worker"]
    return worker["state"] == ("running" if worker["desired_running"] else "stopped")


@needs_containers
async def test_a_start_and_a_drain_at_the_same_moment_end_as_the_owner_last_wanted(bridge):
    # Before: in about one round in seven the worker ran on with desired_running false.
    quick = bridge({"STANDIN_TASK_SECONDS": "1", "STANDIN_IDLE_SECONDS": "0"})
    for round_ in range(16):
        commands = [
            request(quick, "POST", "/worker/start"),
            request(quick, "POST", "/worker/stop", {"drain": True, "timeout": 30}),
        ]
        if round_ % 2:
            commands.reverse()
        replies = await asyncio.gather(*commands)
        assert {status for status, _ in replies} <= {200, 202}, replies
        state = await wait_for(quick, settled, f"round {round_} to settle", 40)
        assert "docker" not in state["degraded"]


@needs_containers
async def test_a_forced_stop_overtakes_the_drains_in_flight(bridge):
    # Before: the kill queued behind four drains on the Docker pool and came after the task.
    slow = bridge(LONG_TASKS)
    await request(slow, "POST", "/worker/start")
    await wait_for(slow, lambda s: s["worker"]["tasks_running"] == 1, "a task in progress")
    drains = [
        request(slow, "POST", "/worker/stop", {"drain": True, "timeout": 600}) for _ in range(4)
    ]
    assert {status for status, _ in await asyncio.gather(*drains)} == {202}
    status, worker = await request(slow, "POST", "/worker/stop", {"drain": False})
    assert (status, worker["state"], worker["forced_stop"]) == (200, "stopped", True)
    assert worker["tasks_completed"] < worker["tasks_started"]  # the 90 s task was cut


@needs_containers
async def test_a_shutdown_does_not_wait_for_a_drain_and_the_next_bridge_takes_it_up(bridge):
    # Before: the bridge exited only after the task (79 s with a 90 s task), past systemd's
    # TimeoutStopSec, which then kills it mid-write.
    stop_timeout = int(re.search(r"^TimeoutStopSec=(\d+)$", UNIT.read_text(), re.M)[1])
    slow = bridge(LONG_TASKS, drain_timeout=2)
    await request(slow, "POST", "/worker/start")
    await wait_for(slow, lambda s: s["worker"]["tasks_running"] == 1, "a task in progress")
    status, _ = await request(slow, "POST", "/worker/stop", {"drain": True, "timeout": 600})
    assert status == 202
    asked = time.monotonic()
    assert slow.stop() == 0
    assert time.monotonic() - asked < stop_timeout
    assert slow.log.read_text().rstrip().endswith("hardware-bridge stopped")
    # The worker still is not wanted: the next bridge drains it again, with the configured
    # drain timeout (2 s here, then it is killed).
    again = slow.start()
    state = await wait_for(again, lambda s: s["worker"]["state"] == "stopped", "the drain")
    assert state["worker"]["forced_stop"] is True
    assert state["worker"]["desired_running"] is False


@needs_containers
async def test_a_stop_while_the_engine_is_down_is_a_503_and_happens_when_it_is_back(
    bridge, docker_engine
):
    # Before: 200, as if the worker had stopped.
    running = bridge()
    await request(running, "POST", "/worker/start")
    await wait_for(running, lambda s: s["worker"]["state"] == "running", "the worker")
    docker_engine.stop()
    try:
        for drain in (True, False):
            status, document = await request(running, "POST", "/worker/stop", {"drain": drain})
            assert (status, document["error"]) == (503, "docker_unavailable")
        _, worker = await request(running, "GET", "/worker")
        assert worker["desired_running"] is False  # recorded all the same
    finally:
        docker_engine.start()
    state = await wait_for(
        running, lambda s: "docker" not in s["degraded"] and settled(s), "recovery", 60
    )
    assert state["worker"]["state"] == "stopped"


async def test_a_start_a_guard_refuses_says_whether_the_worker_stays_wanted(bridge):
    # The owner's wish is kept as it was: a guard holds the worker back, it does not change
    # what is wanted. The 409 says which of the two it is, as the switch shows it.
    held = bridge(guards={"battery_floor": 99.0, "battery_resume": 99.5})
    await wait_for(held, lambda s: "battery_low" in s["guards"]["tripped"], "the guard")
    status, document = await request(held, "POST", "/worker/start")
    assert (status, document["error"]) == (409, "refused_by_guard")
    assert "the worker is not wanted: start it again" in document["message"]
    await asyncio.sleep(2)  # a few polls: nothing starts on its own
    _, worker = await request(held, "GET", "/worker")
    assert (worker["state"], worker["desired_running"]) == ("not_created", False)
