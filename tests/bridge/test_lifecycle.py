"""``hardware-bridge serve`` ends cleanly on SIGTERM, whenever it comes."""

from __future__ import annotations

import time

from tests.support.bridge import BridgeProcess, write_config


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
    deadline = time.monotonic() + 60
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
