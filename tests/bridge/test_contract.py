"""The real worker's contract (docs/worker-contract.md): what the bridge refuses, what the
container gets, and the stand-in refusing what the real worker refuses."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from hardware_bridge.worker.config import WorkerConfig
from hardware_bridge.worker.environment import worker_environment
from tests.support.bridge import (
    ANVIL_CHAIN_ID,
    WORKER_WALLET,
    BridgeProcess,
    bridge_without_docker,
    write_config,
)
from tests.support.client import request, wait_for
from tests.support.contract import contract
from tests.support.core import standin_core
from tests.support.machine import needs_containers

CORE = "http://127.0.0.1:13000"
POOL = "0x00000000000000000000000000000000000000aa"


def serve(tmp_path, config, *, simulate=True):
    """``hardware-bridge serve`` that is expected to refuse its config: its exit and stderr."""
    command = [sys.executable, "-m", "hardware_bridge", "serve", "--no-zeroconf",
               "--host", "127.0.0.1", "--port", "0", "--data-dir", str(tmp_path / "data"),
               "--config", str(config)]  # fmt: skip
    if simulate:
        command.append("--simulate")
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("missing", ["pool_address", "core_url", "chain_id"])
def test_serve_refuses_a_worker_without_a_required_key_in_one_line_naming_it(tmp_path, missing):
    config = write_config(
        tmp_path / "bridge.toml", docker_url="unix:///nowhere", tmp=tmp_path,
        worker={missing: None},
    )  # fmt: skip
    done = serve(tmp_path, config)
    assert done.returncode != 0
    assert done.stderr.splitlines() == [f"hardware-bridge: {config}: worker.{missing}: required"]


def test_serve_on_a_pi_refuses_a_config_without_a_worker(tmp_path):
    config = tmp_path / "bridge.toml"
    config.write_text("[server]\nport = 8765\n")
    done = serve(tmp_path, config, simulate=False)
    assert done.returncode != 0
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"hardware-bridge: {config}: worker: required")


def test_the_zero_workerpool_is_refused_as_the_worker_refuses_it(tmp_path):
    config = write_config(
        tmp_path / "bridge.toml", docker_url="unix:///nowhere", tmp=tmp_path,
        worker={"pool_address": "0x" + "0" * 40},
    )  # fmt: skip
    done = serve(tmp_path, config)
    assert done.returncode != 0
    assert "worker.pool_address: expected an address" in done.stderr


def test_a_9x_image_gets_the_core_as_one_url_and_an_8x_image_as_three_parts():
    def variables(image):
        config = WorkerConfig(
            core_url="https://core.example.org", pool_address=POOL, chain_id=42161, image=image
        )
        return worker_environment(config, "secret")

    current = variables("iexechub/iexec-worker:9.2.0")
    legacy = variables("iexechub/iexec-worker:8.6.0")
    assert current["IEXEC_CORE_URL"] == "https://core.example.org"
    assert not {"IEXEC_CORE_PROTOCOL", "IEXEC_CORE_HOST", "IEXEC_CORE_PORT"} & set(current)
    assert "IEXEC_CORE_URL" not in legacy
    core = [legacy[f"IEXEC_CORE_{part}"] for part in ("PROTOCOL", "HOST", "PORT")]
    assert core == ["https", "core.example.org", "443"]
    # Each release's variables are the ones its section of the contract lists.
    for variables_set, release in ((current, "9.x"), (legacy, "8.x")):
        listed = contract("9.x") + (contract("8.x") if release == "8.x" else [])
        unlisted = [name for name in variables_set
                    if not any(v.names(name) for v in listed)
                    or (release == "8.x" and name == "IEXEC_CORE_URL")]  # fmt: skip
        assert unlisted == [], release


def test_the_gas_network_and_node_settings_reach_the_worker():
    config = WorkerConfig(
        core_url=CORE, pool_address=POOL, chain_id=42161, cpus=2, docker_network="pew-net",
        gas_price_multiplier=1.5, gas_price_cap=30_000_000_000,
        node_url="http://127.0.0.1:8545", environment={"IEXEC_WORKER_GPU_ENABLED": "false"},
    )  # fmt: skip
    variables = worker_environment(config, "secret")
    assert {name: variables[name] for name in (
        "IEXEC_WORKER_OVERRIDE_AVAILABLE_CPU_COUNT", "IEXEC_WORKER_DOCKER_NETWORK_NAME",
        "IEXEC_GAS_PRICE_MULTIPLIER", "IEXEC_GAS_PRICE_CAP",
        "IEXEC_WORKER_OVERRIDE_BLOCKCHAIN_NODE_ADDRESS", "IEXEC_WORKER_GPU_ENABLED",
    )} == {
        "IEXEC_WORKER_OVERRIDE_AVAILABLE_CPU_COUNT": "2",
        "IEXEC_WORKER_DOCKER_NETWORK_NAME": "pew-net",
        "IEXEC_GAS_PRICE_MULTIPLIER": "1.5",
        "IEXEC_GAS_PRICE_CAP": "30000000000",
        "IEXEC_WORKER_OVERRIDE_BLOCKCHAIN_NODE_ADDRESS": "http://127.0.0.1:8545",
        "IEXEC_WORKER_GPU_ENABLED": "false",
    }  # fmt: skip


@pytest.mark.usefixtures("socket_enabled")
async def test_the_worker_document_names_its_chain_pool_and_wallet(tmp_path):
    bridge = bridge_without_docker(tmp_path)
    try:
        status, worker = await request(bridge, "GET", "/worker")
    finally:
        bridge.stop()
    assert status == 200
    assert (worker["chain_id"], worker["pool_address"], worker["wallet"]) == (
        31337, POOL, WORKER_WALLET,
    )  # fmt: skip


def container_environment(docker_engine, name):
    inspected = docker_engine.docker("inspect", "-f", "{{json .Config.Env}}", name).stdout
    return dict(entry.split("=", 1) for entry in json.loads(inspected))


@needs_containers
@pytest.mark.xdist_group("docker")
@pytest.mark.usefixtures("socket_enabled")
async def test_the_container_environment_is_the_written_contract(tmp_path, docker_engine, bridges):
    config = write_config(tmp_path / "bridge.toml", docker_url=docker_engine.url, tmp=tmp_path)
    bridge = BridgeProcess(tmp_path / "bridge", config=config).start()
    bridges.append(bridge)
    status, worker = await request(bridge, "POST", "/worker/start")
    assert (status, worker["state"]) == (200, "running")
    environment = container_environment(docker_engine, f"pew-test-{tmp_path.name[-12:]}")
    variables = contract("9.x")
    for variable in variables:
        if variable.required:
            assert environment.get(variable.pattern), f"{variable.pattern} is required"
            assert environment[variable.pattern] != variable.default, variable.pattern
    # Every iExec variable set is one the contract lists (none of 8.x's, say).
    iexec = [name for name in environment if name.startswith(("IEXEC_", "POOL_"))]
    assert [name for name in iexec if not any(v.names(name) for v in variables)] == []
    assert (environment["IEXEC_CORE_URL"], environment["POOL_ADDRESS"]) == (CORE, POOL)


def run_standin(docker_engine, tmp_path, **left_out_or_changed):
    """The stand-in image run directly with the contract's variables, some left out (None)."""
    wallet = tmp_path / "wallet.json"
    wallet.write_text(json.dumps({"address": WORKER_WALLET.removeprefix("0x")}))
    environment = {
        "IEXEC_CORE_URL": CORE,
        "POOL_ADDRESS": POOL,
        "IEXEC_WORKER_WALLET_PATH": "/iexec-wallet/wallet.json",
        "IEXEC_WORKER_WALLET_PASSWORD": "secret",
        "STANDIN_IDLE_SECONDS": "30",
    }
    environment.update(left_out_or_changed)
    flags = [f"--env={name}={value}" for name, value in environment.items() if value is not None]
    return docker_engine.docker(
        "run", "--rm", "--network=host", f"--volume={wallet}:/iexec-wallet/wallet.json:ro",
        "--stop-timeout=1", *flags, "positive-energy/standin-worker:2", check=False,
    )  # fmt: skip


@needs_containers
@pytest.mark.xdist_group("docker")
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"POOL_ADDRESS": None}, "The workerpool address must be filled in"),
        ({"POOL_ADDRESS": "0x0"}, "The workerpool address must be filled in"),
        ({"IEXEC_CORE_URL": None}, "IEXEC_CORE_URL is not set"),
        ({"IEXEC_CORE_URL": "core:13000"}, "IEXEC_CORE_URL must be a valid URL"),
        ({"IEXEC_WORKER_WALLET_PATH": None}, "IEXEC_WORKER_WALLET_PATH is not set"),
        ({"IEXEC_WORKER_WALLET_PATH": "/nowhere.json"}, "cannot read the wallet"),
        ({"IEXEC_WORKER_WALLET_PASSWORD": None}, "IEXEC_WORKER_WALLET_PASSWORD is not set"),
    ],
)
def test_the_standin_refuses_to_start_without_what_the_real_worker_requires(
    docker_engine, tmp_path, change, message
):
    done = run_standin(docker_engine, tmp_path, **change)
    assert done.returncode == 1
    assert message in done.stderr
    assert "Started worker" not in done.stdout


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.parametrize("served", [ANVIL_CHAIN_ID, 42161])
async def test_the_bridge_reports_the_chain_its_core_serves(tmp_path, bridges, served):
    with standin_core(POOL, served) as core:
        config = write_config(
            tmp_path / "bridge.toml", docker_url=f"unix://{tmp_path}/no-engine.sock",
            tmp=tmp_path, worker={"core_url": core.url},
        )  # fmt: skip
        bridge = BridgeProcess(tmp_path / "data", config=config).start()
        bridges.append(bridge)
        state = await wait_for(
            bridge, lambda s: s["worker"]["core_chain_id"] is not None, "the core's chain"
        )
    assert (state["worker"]["chain_id"], state["worker"]["core_chain_id"]) == (
        ANVIL_CHAIN_ID, served,
    )  # fmt: skip
    if served == ANVIL_CHAIN_ID:
        assert "core" not in state["degraded"]
    else:
        assert state["degraded"]["core"] == (
            f"the core serves chain {served}, not [worker] chain_id {ANVIL_CHAIN_ID}"
        )
