"""The worker on a real Docker engine: start, drain, forced stop, engine restart, allowlist."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time

import pytest

from hardware_bridge.base.faults import FaultTracker
from hardware_bridge.config.loader import load_config
from hardware_bridge.config.serve import STANDIN_IMAGE
from hardware_bridge.worker.engine import DockerWorker
from hardware_bridge.worker.supervisor import WorkerSupervisor
from tests.support.bridge import BridgeProcess, write_config
from tests.support.client import request, wait_for
from tests.support.machine import needs_containers

pytestmark = [pytest.mark.xdist_group("docker"), pytest.mark.usefixtures("socket_enabled")]


@pytest.fixture
def start_bridge(tmp_path, docker_engine, bridges):
    def start(worker=None, guards=None, scenario="default", name="bridge"):
        config = write_config(
            tmp_path / f"{name}.toml",
            docker_url=docker_engine.url,
            tmp=tmp_path,
            worker=worker,
            guards=guards,
        )
        bridge = BridgeProcess(tmp_path / name, config=config, scenario=scenario).start()
        bridges.append(bridge)
        return bridge

    return start


def running(state):
    return state["worker"]["state"] == "running"


def container_of(bridge):
    """The worker container's name, as write_config derives it from the test's directory."""
    return f"pew-test-{bridge.data_dir.parent.name[-12:]}"


def inspect(docker_engine, name):
    """``docker inspect`` of the container, or None when there is none."""
    inspected = docker_engine.docker("inspect", name, check=False)
    return json.loads(inspected.stdout)[0] if inspected.returncode == 0 else None


def labels(docker_engine, name):
    details = inspect(docker_engine, name)
    return details["Config"]["Labels"] if details else None


@needs_containers
async def test_start_runs_the_labelled_container_and_counts_its_tasks(start_bridge, docker_engine):
    bridge = start_bridge()
    status, worker = await request(bridge, "POST", "/worker/start")
    assert (status, worker["state"]) == (200, "running")
    state = await wait_for(bridge, lambda s: s["worker"]["tasks_completed"] >= 1, "a task done")
    worker = state["worker"]
    assert worker["desired_running"] is True
    assert worker["uptime"] > 0
    assert worker["memory_bytes"] > 0
    name = container_of(bridge)
    assert labels(docker_engine, name)["io.positive-energy.managed"] == "true"
    env = docker_engine.docker("inspect", "-f", "{{json .Config.Env}}", name).stdout
    assert "IEXEC_WORKER_WALLET_PATH=/iexec-wallet/wallet.json" in env
    assert "IEXEC_CORE_URL=http://127.0.0.1:13000" in env
    # The busy stand-in shows in the simulated Pi's load.
    state = await wait_for(bridge, lambda s: (s["worker"]["cpu_percent"] or 0) > 20, "CPU use")
    assert state["witty_pi"] is not None


@needs_containers
async def test_a_drain_lets_the_running_task_finish_then_stops(start_bridge):
    bridge = start_bridge()
    await request(bridge, "POST", "/worker/start")
    await wait_for(bridge, lambda s: s["worker"]["tasks_running"] == 1, "a task in progress")
    status, worker = await request(bridge, "POST", "/worker/stop", {"drain": True, "timeout": 30})
    assert (status, worker["state"]) == (202, "draining")
    state = await wait_for(bridge, lambda s: s["worker"]["state"] == "stopped", "the drain")
    worker = state["worker"]
    assert worker["tasks_completed"] == worker["tasks_started"] >= 1
    assert worker["tasks_running"] == 0
    assert (worker["forced_stop"], worker["exit_code"]) == (False, 0)
    assert worker["desired_running"] is False


@needs_containers
async def test_a_forced_stop_says_so(start_bridge):
    # Tasks long enough that the kill lands mid-task however slow the machine is.
    bridge = start_bridge(worker={"environment": {"STANDIN_TASK_SECONDS": "60"}})
    await request(bridge, "POST", "/worker/start")
    await wait_for(bridge, lambda s: s["worker"]["tasks_running"] == 1, "a task in progress")
    status, worker = await request(bridge, "POST", "/worker/stop", {"drain": False})
    assert (status, worker["state"], worker["forced_stop"]) == (200, "stopped", True)
    assert worker["tasks_completed"] < worker["tasks_started"]


@needs_containers
async def test_a_drain_that_runs_out_of_time_is_forced(start_bridge):
    bridge = start_bridge(worker={"environment": {"STANDIN_TASK_SECONDS": "30"}})
    await request(bridge, "POST", "/worker/start")
    await wait_for(bridge, lambda s: s["worker"]["tasks_running"] == 1, "a task in progress")
    await request(bridge, "POST", "/worker/stop", {"drain": True, "timeout": 1})
    state = await wait_for(bridge, lambda s: s["worker"]["state"] == "stopped", "the stop")
    assert state["worker"]["forced_stop"] is True
    assert "drain timed out after 1 s" in state["worker"]["last_error"]


@needs_containers
async def test_the_worker_comes_back_after_the_engine_restarts(start_bridge, docker_engine):
    bridge = start_bridge()
    await request(bridge, "POST", "/worker/start")
    await wait_for(bridge, running, "the worker")
    docker_engine.stop()
    try:
        state = await wait_for(bridge, lambda s: "docker" in s["degraded"], "the engine fault")
        assert state["worker"]["state"] == "error"
        status, _ = await request(bridge, "GET", "/state")
        assert status == 200  # the bridge itself carries on
    finally:
        docker_engine.start()
    state = await wait_for(
        bridge, lambda s: running(s) and "docker" not in s["degraded"], "recovery", 60
    )
    assert state["worker"]["desired_running"] is True
    assert bridge.log.read_text().count("Docker engine unreachable") == 1  # logged once


async def test_an_image_off_the_allowlist_is_refused(start_bridge, docker_engine):
    bridge = start_bridge(worker={"image": "busybox:latest"})
    status, document = await request(bridge, "POST", "/worker/start")
    assert status == 409
    assert "'busybox:latest' is not on the allowlist" in document["message"]
    name = container_of(bridge)
    assert labels(docker_engine, name) is None  # nothing was created


async def test_a_container_the_bridge_did_not_create_is_left_alone(start_bridge, docker_engine):
    bridge = start_bridge()
    name = container_of(bridge)
    docker_engine.docker("create", "--name", name, STANDIN_IMAGE)
    try:
        status, document = await request(bridge, "POST", "/worker/start")
        assert status == 409
        assert "the bridge did not create" in document["message"]
        inspected = docker_engine.docker("inspect", "-f", "{{.State.Status}}", name)
        assert inspected.stdout.strip() == "created"  # untouched
    finally:
        docker_engine.docker("rm", "-f", name)


@needs_containers
async def test_a_stopped_worker_is_reused_until_its_config_changes(start_bridge, docker_engine):
    def created():
        details = inspect(docker_engine, container_of(first))
        return details["Id"], details["Config"]["Env"]

    first = start_bridge()
    await request(first, "POST", "/worker/start")
    await request(first, "POST", "/worker/stop", {"drain": False})
    original, _ = created()
    first.stop()
    same = start_bridge(name="same")
    status, _ = await request(same, "POST", "/worker/start")
    assert status == 200
    assert created()[0] == original  # same settings: the container is reused
    await request(same, "POST", "/worker/stop", {"drain": False})
    same.stop()
    changed = start_bridge(
        worker={"environment": {"STANDIN_TASK_SECONDS": "4", "STANDIN_IDLE_SECONDS": "1"}},
        name="changed",
    )
    status, worker = await request(changed, "POST", "/worker/start")
    assert (status, worker["state"]) == (200, "running")
    replaced, env = created()
    assert replaced != original
    assert "STANDIN_TASK_SECONDS=4" in env


@needs_containers
async def test_task_tallies_survive_a_bridge_restart(start_bridge, bridges):
    bridge = start_bridge()
    await request(bridge, "POST", "/worker/start")
    await wait_for(bridge, lambda s: s["worker"]["tasks_completed"] >= 2, "two tasks", 40)
    await request(bridge, "POST", "/worker/stop", {"drain": False})
    _, before = await request(bridge, "GET", "/worker")
    bridge.stop()
    again = bridge.start()
    _, after = await request(again, "GET", "/worker")
    assert after["tasks_completed"] == before["tasks_completed"]
    assert after["tasks_started"] == before["tasks_started"]


@needs_containers
async def test_looks_at_the_same_time_count_each_task_once(
    tmp_path, docker_engine, docker_sdk_allowed
):
    # The sample loop and API commands look at the container from a pool of threads at once.
    config = write_config(
        tmp_path / "bridge.toml",
        docker_url=docker_engine.url,
        tmp=tmp_path,
        worker={"environment": {"STANDIN_TASK_SECONDS": "1", "STANDIN_IDLE_SECONDS": "0"}},
    )
    worker_config = load_config(config, standin_dir=tmp_path).serve.worker
    worker = WorkerSupervisor(
        worker_config,
        data_dir=tmp_path,
        faults=FaultTracker(logging.getLogger(__name__)),
        refusal=lambda: None,
        on_change=lambda: None,
    )
    await worker.start()
    try:
        deadline = time.monotonic() + 6
        while time.monotonic() < deadline:
            await asyncio.gather(*(worker.poll() for _ in range(8)))
        await worker.stop(drain=True, grace=10)
        await worker.settled()
        status = worker.status()
        logs = docker_engine.docker("logs", worker_config.container_name).stdout
        completed = len(set(re.findall(r"status:COMPLETED, chainTaskId:(0x[0-9a-f]+)", logs)))
        assert completed >= 3
        assert (status.tasks_started, status.tasks_completed) == (completed, completed)
    finally:
        docker_engine.docker("rm", "-f", worker_config.container_name, check=False)
        await worker.close()


def test_building_the_standin_image_again_keeps_it(docker_engine):
    # The demo builds on every start: an image from the same worker.sh is kept, not re-imported.
    def image_id():
        return docker_engine.docker("image", "inspect", "-f", "{{.Id}}", STANDIN_IMAGE).stdout

    before = image_id()
    docker_engine.build_standin_image()
    assert image_id() == before


async def test_a_password_file_that_is_not_utf8_is_a_clear_refusal_logged_once(
    start_bridge, tmp_path
):
    # Before: a 500 on start, then the same unexpected error on every poll.
    bridge = start_bridge()
    (tmp_path / "wallet-password").write_bytes(b"\xff\xfe secret \x80\n")
    status, document = await request(bridge, "POST", "/worker/start")
    assert (status, document["error"]) == (409, "worker_error")
    assert "is not UTF-8 text" in document["message"]
    state = await wait_for(bridge, lambda s: "worker" in s["degraded"], "the worker's fault")
    assert "is not UTF-8 text" in state["degraded"]["worker"]
    assert state["worker"]["desired_running"] is True  # it starts once the file is mended
    await asyncio.sleep(3)  # several polls (every 0.5 s here)
    log = bridge.log.read_text()
    assert log.count("is not UTF-8 text") == 1
    assert "unexpected error" not in log


@needs_containers
def test_a_signal_to_a_worker_that_stopped_under_it_is_no_error(
    tmp_path, docker_engine, docker_sdk_allowed
):
    # Before: a stop that looked at a running worker, which then exited before the signal,
    # was the engine's 409 ("is not running"), an undocumented answer to a stop.
    config = write_config(tmp_path / "bridge.toml", docker_url=docker_engine.url, tmp=tmp_path)
    worker_config = load_config(config, standin_dir=tmp_path).serve.worker
    engine = DockerWorker(worker_config)
    try:
        engine.start()
        looked_at = engine._running_container()  # what kill() and terminate() look at first
        docker_engine.docker("kill", worker_config.container_name)  # it stops in between
        assert engine._signal(looked_at, "stop the worker", "SIGKILL") is False
        assert engine._signal(looked_at, "ask the worker to stop", "SIGTERM") is False
    finally:
        docker_engine.docker("rm", "-f", worker_config.container_name, check=False)
        engine.close()
