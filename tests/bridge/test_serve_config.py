"""The bridge's config file: the shipped example parses, and mistakes name the key."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest

from hardware_bridge.base.errors import ConfigError
from hardware_bridge.config.loader import BridgeConfig, load_config, parse_config
from hardware_bridge.config.serve import STANDIN_IMAGE, ServeConfig
from hardware_bridge.config.standin import write_throwaway_wallet
from hardware_bridge.hardware.config import HardwareConfig
from hardware_bridge.worker.config import DEFAULT_IMAGE, WorkerConfig
from hardware_bridge.worker.environment import core_environment
from tests.support.bridge import REQUIRED_WORKER, WORKER_TABLE

EXAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "bridge.example.toml"


def test_the_example_config_is_valid():
    config = load_config(EXAMPLE)
    serve = config.serve
    assert serve.server.port == 8765
    assert serve.server.max_event_sockets == 64
    assert serve.worker.image == DEFAULT_IMAGE
    assert serve.worker.allowed_images == (DEFAULT_IMAGE,)
    # The current release's one URL, on a chain our sensors read (Arbitrum One), not Bellecour.
    assert core_environment(serve.worker) == {"IEXEC_CORE_URL": "https://core.example.org"}
    assert serve.worker.chain_id == 42161
    assert serve.guards.shutdown_command[-1] == "poweroff"
    assert config.hardware.battery.monitor.chip == "ina226"


def test_simulation_runs_the_standin_worker_with_a_throwaway_wallet(tmp_path):
    worker = load_config(None, standin_dir=tmp_path).serve.worker
    assert worker.image == STANDIN_IMAGE
    assert worker.allowed_images == (STANDIN_IMAGE,)
    write_throwaway_wallet(worker, tmp_path)  # when serving starts
    assert worker.wallet_file.is_file()
    assert worker.password_file.read_text().strip()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[server]\nport = 70000\n", r"server\.port: expected a whole number within 0\.\.65535"),
        (
            "[server]\nmax_event_sockets = 0\n",
            r"server\.max_event_sockets: expected a whole number within 1\.\.512",
        ),
        ('[worker]\ncore_url = "ftp://x"\n', r"worker\.core_url: expected an http\(s\) URL"),
        ("[worker]\ncpus = 0\n", r"worker\.cpus: expected a whole number"),
        ('[worker]\nallowed_images = "x"\n', r"worker\.allowed_images: expected a list"),
        ('[worker]\ncommand = ["sh"]\n', r"worker: unknown key\(s\) command"),
        ("[guards]\nbattery_floor = -5\n", r"guards\.battery_floor: expected a number within 0"),
        # A misspelt table is an error, not ignored.
        ("[gaurds]\nbattery_floor = 50\n", r"bridge\.toml: unknown key\(s\) gaurds"),
    ],
)
def test_a_bad_setting_names_the_key(tmp_path, text, message):
    path = tmp_path / "bridge.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_loading_the_settings_writes_nothing_to_the_data_dir(tmp_path):
    worker = load_config(None, standin_dir=tmp_path).serve.worker
    assert worker.wallet_file.parent == tmp_path
    assert list(tmp_path.iterdir()) == []


def test_a_user_wallet_is_never_overwritten_by_the_throwaway_one(tmp_path):
    path = tmp_path / "bridge.toml"
    path.write_text(f'{WORKER_TABLE}wallet_file = "{tmp_path / "mine.json"}"\n')
    write_throwaway_wallet(load_config(path, standin_dir=tmp_path).serve.worker, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bridge.toml"]


def test_an_error_names_the_file_and_the_full_key_path(tmp_path):
    path = tmp_path / "bridge.toml"
    path.write_text('[hardware.solar]\nchip = "ina219"\naddress = 0x40\nshunt_ohms = "x"\n')
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert str(raised.value) == (
        f"{path}: hardware.solar.shunt_ohms: expected a number greater than 0, got 'x'"
    )


def as_toml(value):
    """A dataclass default as a file would write it: tables, lists and strings; None left out."""
    if isinstance(value, dict):
        return {k: as_toml(v) for k, v in value.items() if v is not None}
    if isinstance(value, tuple):
        return list(value)
    return str(value) if isinstance(value, Path) else value


def test_every_default_written_out_reads_back_as_the_default():
    # Each key the classes have, the schema takes, and no default is kept anywhere else.
    serve = ServeConfig(worker=WorkerConfig(**REQUIRED_WORKER))
    document = {"hardware": as_toml(asdict(HardwareConfig())), **as_toml(asdict(serve))}
    assert parse_config(document) == BridgeConfig(HardwareConfig(), serve)


def test_no_default_points_at_the_retired_bellecour_chain():
    repository = EXAMPLE.parents[1]
    sources = [*repository.glob("hardware_bridge/**/*.py"), *repository.glob("deploy/*"),
               *repository.glob("custom_components/**/*.py")]  # fmt: skip
    assert [path for path in sources if "bellecour" in path.read_text().lower()] == []
    assert "bellecour" not in DEFAULT_IMAGE
