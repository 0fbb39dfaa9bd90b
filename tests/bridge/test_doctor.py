"""``hardware-bridge doctor``: passes on a working simulated setup, and names each fault."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from hardware_bridge.doctor import Setup, Status, run_checks
from hardware_bridge.runtime import Simulate
from tests.support.bridge import ANVIL_CHAIN_ID, WORKER_WALLET, write_config
from tests.support.core import standin_core
from tests.support.images import load_foreign_image
from tests.support.platforms import other_architecture

pytestmark = [
    pytest.mark.xdist_group("docker"),
    pytest.mark.usefixtures("socket_enabled", "docker_sdk_allowed"),
]

POOL = "0x00000000000000000000000000000000000000aa"
# anvil's second account (its fixed test mnemonic): tests/support/chain.py's WORKER.
WORKER_KEY = bytes.fromhex("59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")
PASSWORD = "correct horse"


def keystore(path, password=PASSWORD):
    """A real encrypted keystore of the worker's key (few iterations: a test, not a vault)."""
    from eth_keyfile import create_keyfile_json  # noqa: PLC0415

    document = create_keyfile_json(WORKER_KEY, password.encode(), kdf="pbkdf2", iterations=2)
    path.write_text(json.dumps(document))
    return path


@pytest.fixture
def core():
    with standin_core(POOL, ANVIL_CHAIN_ID) as serving:
        yield serving


@pytest.fixture
def owner(tmp_path, docker_engine, core):
    """A working setup: returns a function writing its config with some keys changed."""

    def config(*, password=PASSWORD, hardware="", **worker):
        path = write_config(
            tmp_path / "bridge.toml", docker_url=docker_engine.url, tmp=tmp_path,
            worker={"core_url": core.url, **worker},
        )  # fmt: skip
        keystore(tmp_path / "wallet.json")
        (tmp_path / "wallet-password").write_text(password + "\n")
        if hardware:
            path.write_text(path.read_text() + hardware)
        return path

    return config


def doctor(config, data_dir):
    findings = list(run_checks(Setup(config, Simulate(), data_dir)))
    return {finding.check: finding for finding in findings}


def failed(findings):
    return sorted(name for name, f in findings.items() if f.status is Status.FAIL)


def test_a_working_setup_passes_every_check(owner, tmp_path):
    findings = doctor(owner(), tmp_path / "data")
    assert failed(findings) == []
    assert [f.status for f in findings.values()] == [Status.OK] * 8
    assert findings["wallet"].detail == f"the password unlocks {WORKER_WALLET}"
    assert str(ANVIL_CHAIN_ID) in findings["core"].detail


def test_the_command_prints_a_line_per_check_and_exits_0_then_1_with_json(owner, tmp_path):
    def run(config, *flags):
        return subprocess.run(
            [sys.executable, "-m", "hardware_bridge", "doctor", "--simulate",
             "--config", str(config), "--data-dir", str(tmp_path / "data"), *flags],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip

    done = run(owner())
    assert done.returncode == 0, done.stdout + done.stderr
    assert [line.split()[:2] for line in done.stdout.splitlines()] == [
        ["ok", name] for name in
        ("config", "i2c", "data_dir", "docker", "image", "wallet", "core", "pool")
    ]  # fmt: skip
    done = run(owner(password="wrong"), "--json")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["ok"] is False
    assert [c["check"] for c in report["checks"] if c["status"] == "fail"] == ["wallet"]


def test_a_missing_chip_is_named(owner, tmp_path):
    config = owner(hardware='[hardware.solar]\nchip = "ina219"\naddress = 0x45\n')
    findings = doctor(config, tmp_path / "data")
    assert failed(findings) == ["i2c"]
    assert "solar 0x45" in findings["i2c"].detail


def test_a_data_dir_that_cannot_be_written(owner, tmp_path):
    (tmp_path / "a-file").write_text("")
    findings = doctor(owner(), tmp_path / "a-file" / "data")
    assert failed(findings) == ["data_dir"]


def test_no_docker_engine_and_the_image_check_skipped(owner, tmp_path):
    findings = doctor(owner(docker_url=f"unix://{tmp_path}/no.sock"), tmp_path / "data")
    assert failed(findings) == ["docker"]
    assert findings["image"].status is Status.SKIPPED


def test_an_image_that_is_not_there(owner, tmp_path):
    image = "positive-energy/absent:1"
    findings = doctor(owner(image=image, allowed_images=[image]), tmp_path / "data")
    assert failed(findings) == ["image"]
    assert "not on this machine" in findings["image"].detail


def test_an_image_of_another_platform(owner, tmp_path, docker_engine):
    image = load_foreign_image(docker_engine, other_architecture())
    findings = doctor(owner(image=image, allowed_images=[image]), tmp_path / "data")
    assert failed(findings) == ["image"]
    assert f"linux/{other_architecture()}" in findings["image"].detail


def test_a_wrong_password(owner, tmp_path):
    findings = doctor(owner(password="wrong"), tmp_path / "data")
    assert failed(findings) == ["wallet"]
    assert "does not unlock" in findings["wallet"].detail


def test_a_wallet_that_cannot_be_read(owner, tmp_path):
    findings = doctor(owner(wallet_file=str(tmp_path / "absent.json")), tmp_path / "data")
    assert failed(findings) == ["wallet"]


def test_a_core_that_does_not_answer(owner, tmp_path):
    findings = doctor(owner(core_url="http://127.0.0.1:9"), tmp_path / "data")
    assert failed(findings) == ["core"]


def test_a_core_on_another_chain(owner, tmp_path, core):
    core.chain_id = 42161
    findings = doctor(owner(), tmp_path / "data")
    assert failed(findings) == ["core"]
    assert "serves chain 42161" in findings["core"].detail


def test_a_core_of_another_workerpool(owner, tmp_path, core):
    core.pool_address = "0x00000000000000000000000000000000000000bb"
    findings = doctor(owner(), tmp_path / "data")
    assert failed(findings) == ["core"]


def test_no_workerpool_address(owner, tmp_path):
    findings = doctor(owner(pool_address=None), tmp_path / "data")
    assert failed(findings) == ["config", "pool"]
    assert "worker.pool_address: required" in findings["config"].detail
    assert {f.status for name, f in findings.items() if name in ("wallet", "core", "image")} == {
        Status.SKIPPED
    }


def test_the_standin_without_a_config_is_checked_but_for_its_wallet_and_core(tmp_path):
    findings = list(run_checks(Setup(None, Simulate(), tmp_path / "data")))
    statuses = {finding.check: finding.status for finding in findings}
    assert statuses["wallet"] is statuses["core"] is Status.SKIPPED
    assert statuses["config"] is statuses["i2c"] is statuses["data_dir"] is Status.OK


def test_the_serving_bridge_never_loads_the_keystore_libraries():
    # eth-keyfile pulls pydantic and pycryptodome: doctor imports it only to check a password.
    code = (
        "import sys, hardware_bridge.api.server, hardware_bridge.cli, hardware_bridge.doctor;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('eth_keyfile', 'eth_keys', 'pydantic', 'Crypto')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]"
