"""``hardware-bridge serve`` ends cleanly on SIGTERM, whenever it comes; systemd brings it back
after any exit; one bridge per data directory."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from hardware_bridge.api.connections import RESERVE
from hardware_bridge.config.serve import ServerConfig
from tests.support.bridge import BridgeProcess, write_config
from tests.support.machine import patience


def bridge_in(tmp_path):
    config = write_config(tmp_path / "b.toml", docker_url="unix:///nonexistent", tmp=tmp_path)
    return BridgeProcess(tmp_path / "data", config=config)


def test_sigterm_once_listening_is_a_clean_exit(tmp_path):
    bridge = bridge_in(tmp_path).start()
    assert bridge.url.startswith("http://127.0.0.1:")
    assert bridge.stop() == 0
    assert bridge.log.read_text().rstrip().endswith("hardware-bridge stopped")


def test_sigterm_while_starting_is_a_clean_exit(tmp_path):
    # A supervisor may stop the bridge at any moment: here, just after the first start printed
    # its token, while the hardware, the service and the server are still coming up.
    bridge = bridge_in(tmp_path)
    offset = bridge.launch()
    deadline = time.monotonic() + patience(60)
    while "API token" not in bridge.output(offset):
        assert time.monotonic() < deadline, bridge.output(offset)
        time.sleep(0.01)
    assert bridge.stop() == 0, bridge.output(offset)
    output = bridge.output(offset)
    assert output.rstrip().endswith("hardware-bridge stopped")
    assert "Traceback" not in output
    # Started after the stop: its token kept, it serves.
    token = bridge.token
    assert bridge.start().token == token
    assert bridge.stop() == 0


def unit_settings() -> dict[str, str]:
    text = (Path(__file__).resolve().parents[2] / "deploy" / "hardware-bridge.service").read_text()
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line and line[0] != "#")


def test_the_unit_restarts_the_bridge_after_any_exit_a_sighups_clean_one_included(tmp_path):
    # Before: SIGHUP was a clean exit that Restart=on-failure never restarted: the guards were
    # gone until someone noticed.
    bridge = bridge_in(tmp_path).start()
    assert bridge.stop(signal.SIGHUP) == 0  # a clean exit...
    assert bridge.log.read_text().rstrip().endswith("hardware-bridge stopped")
    assert unit_settings()["Restart"] == "always"  # ...which systemd restarts all the same


def test_the_unit_gives_the_bridge_the_descriptors_its_connections_and_counters_need():
    connections = ServerConfig().max_connections
    assert int(unit_settings()["LimitNOFILE"]) >= connections + RESERVE


def test_a_second_bridge_on_the_same_data_dir_stops_naming_the_first(tmp_path):
    # Before: both ran, each saving its own count over the other's: an energy counter halved.
    first = bridge_in(tmp_path).start()
    try:
        second = bridge_in(tmp_path)
        offset = second.launch()
        assert second.process.wait(timeout=60) == 2
        output = second.output(offset).strip()
        assert output.splitlines() == [
            f"hardware-bridge: {first.data_dir} is in use by another bridge (pid "
            f"{first.process.pid}): one bridge per data directory, or both would count the same "
            "energy and save over each other"
        ]
    finally:
        assert first.stop() == 0
    assert bridge_in(tmp_path).start().stop() == 0  # the lock went with the first
