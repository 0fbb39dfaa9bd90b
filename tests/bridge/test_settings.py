"""The bridge's config file: the shipped example parses, and mistakes name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from hardware_bridge.config import load_hardware_config
from hardware_bridge.errors import ConfigError
from hardware_bridge.settings import STANDIN_IMAGE, load_settings
from hardware_bridge.worker.config import DEFAULT_IMAGE

EXAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "bridge.example.toml"


def test_the_example_config_is_valid(tmp_path):
    settings = load_settings(EXAMPLE, simulate=False, data_dir=tmp_path)
    assert settings.server.port == 8765
    assert settings.server.max_event_sockets == 64
    assert settings.worker.image == DEFAULT_IMAGE
    assert settings.worker.allowed_images == (DEFAULT_IMAGE,)
    assert settings.worker.core_environment() == {
        "IEXEC_CORE_PROTOCOL": "https",
        "IEXEC_CORE_HOST": "core.v8-bellecour.iex.ec",
        "IEXEC_CORE_PORT": "443",
    }
    assert settings.guards.shutdown_command[-1] == "poweroff"
    assert load_hardware_config(EXAMPLE).battery.monitor.chip == "ina226"


def test_simulation_runs_the_standin_worker_with_a_throwaway_wallet(tmp_path):
    worker = load_settings(None, simulate=True, data_dir=tmp_path).worker
    assert worker.image == STANDIN_IMAGE
    assert worker.allowed_images == (STANDIN_IMAGE,)
    assert worker.wallet_file.is_file()
    assert worker.password_file.read_text().strip()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[server]\nport = 70000\n", r"server\.port: expected 0\.\.65535"),
        ("[server]\nmax_event_sockets = 0\n", r"server\.max_event_sockets: expected 1\.\.512"),
        ('[worker]\ncore_url = "ftp://x"\n', r"worker\.core_url: expected an http\(s\) URL"),
        ("[worker]\ncpus = 0\n", r"worker\.cpus: expected a whole number"),
        ('[worker]\nallowed_images = "x"\n', r"worker\.allowed_images: expected a list"),
        ('[worker]\ncommand = ["sh"]\n', r"worker: unknown key\(s\) command"),
        ("[guards]\nbattery_floor = -5\n", r"guards\.battery_floor: must be greater"),
    ],
)
def test_a_bad_setting_names_the_key(tmp_path, text, message):
    path = tmp_path / "bridge.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_settings(path, simulate=False, data_dir=tmp_path)
