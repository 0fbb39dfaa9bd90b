"""An image of another platform is refused before it runs: the state, a 409, no restart loop."""

from __future__ import annotations

import asyncio

import pytest

from hardware_bridge.worker.platform import Platform, host_platform, image_platform, mismatch
from tests.support.bridge import BridgeProcess, write_config
from tests.support.client import request
from tests.support.images import load_foreign_image
from tests.support.platforms import other_architecture

PI = host_platform({"OSType": "linux", "Architecture": "aarch64"})


def test_the_engines_machine_name_reads_as_the_images_architecture():
    assert Platform("linux", "arm64") == PI
    assert host_platform({"OSType": "linux", "Architecture": "x86_64"}) == Platform(
        "linux", "amd64"
    )
    assert host_platform({"OSType": "linux", "Architecture": "armv7l"}) == Platform(
        "linux", "arm", "v7"
    )


@pytest.mark.parametrize(
    ("image", "runs"),
    [
        ({"Os": "linux", "Architecture": "arm64", "Variant": "v8"}, True),
        ({"Os": "linux", "Architecture": "arm64"}, True),
        ({"Os": "linux", "Architecture": "amd64"}, False),  # iExec's own worker image
        ({"Os": "linux", "Architecture": "arm", "Variant": "v7"}, False),
        ({"Os": "windows", "Architecture": "arm64"}, False),
    ],
)
def test_what_runs_on_a_pi(image, runs):
    assert (mismatch(image_platform(image), PI) is None) is runs


def test_an_older_arm_variant_runs_on_a_newer_core():
    v7 = Platform("linux", "arm", "v7")
    assert mismatch(Platform("linux", "arm", "v6"), v7) is None
    assert mismatch(Platform("linux", "arm", "v7"), Platform("linux", "arm", "v6")) is not None


def test_the_reason_names_both_platforms():
    reason = mismatch(Platform("linux", "amd64"), PI)
    assert reason is not None
    assert "linux/amd64" in reason
    assert "linux/arm64" in reason


@pytest.mark.xdist_group("docker")
@pytest.mark.usefixtures("socket_enabled")
async def test_an_image_of_another_platform_is_refused_in_the_state_and_the_api(
    tmp_path, docker_engine, bridges
):
    architecture = other_architecture()
    image = load_foreign_image(docker_engine, architecture)
    config = write_config(
        tmp_path / "bridge.toml", docker_url=docker_engine.url, tmp=tmp_path,
        worker={"image": image, "allowed_images": [image]},
    )  # fmt: skip
    bridge = BridgeProcess(tmp_path / "bridge", config=config).start()
    bridges.append(bridge)
    status, body = await request(bridge, "POST", "/worker/start")
    assert (status, body["error"]) == (409, "platform_mismatch")
    assert f"linux/{architecture}" in body["message"]
    # No container was made to fail with "exec format error", now or at later polls.
    await asyncio.sleep(3)  # six polls of the worker (poll_interval 0.5 s)
    name = f"pew-test-{tmp_path.name[-12:]}"
    assert docker_engine.docker("inspect", name, check=False).returncode != 0
    _, state = await request(bridge, "GET", "/state")
    worker = state["worker"]
    assert worker["state"] == "not_created"
    assert worker["desired_running"] is True
    assert f"linux/{architecture}" in worker["platform_mismatch"]
    assert f"linux/{architecture}" in state["degraded"]["worker"]
    # Said once in the log, not at every poll.
    assert bridge.log.read_text().count("exec format error") <= 1


@pytest.mark.xdist_group("docker")
@pytest.mark.usefixtures("socket_enabled")
async def test_the_standin_image_is_built_for_this_machine(docker_engine):
    inspected = docker_engine.docker(
        "image", "inspect", "-f", "{{.Os}} {{.Architecture}}", "positive-energy/standin-worker:2"
    ).stdout.split()
    engine = docker_engine.docker("info", "-f", "{{.OSType}} {{.Architecture}}").stdout.split()
    image = image_platform({"Os": inspected[0], "Architecture": inspected[1]})
    assert mismatch(image, host_platform({"OSType": engine[0], "Architecture": engine[1]})) is None
