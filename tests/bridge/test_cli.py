"""The hardware-bridge command, run as a real process."""

import json
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.bridge import WORKER_TABLE


def run(*args: str, env=None, stdin=None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hardware_bridge", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        input=stdin,
        check=False,
    )


def test_read_simulate_json_gives_every_reading():
    result = run("read", "--simulate", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert {"battery", "solar", "witty_pi", "host", "energy", "degraded"} <= document.keys()
    assert document["simulated"] is True
    assert document["degraded"] == {}
    assert document["witty_pi"]["model"] == "Witty Pi 4"
    assert 12.0 < document["battery"]["voltage"] < 14.6
    assert 0 <= document["battery"]["soc"] <= 100
    assert document["solar"]["chip"] == "INA219@0x40"


def test_help_describes_every_command_as_there_now():
    result = run("--help")
    assert result.returncode == 0, result.stderr
    commands = re.search(r"\{([a-z,]+)\}", result.stdout)
    assert commands is not None, result.stdout
    description = result.stdout.split("\n\n")[1]
    for command in commands[1].split(","):
        assert command in description, f"the description leaves out {command}: {description!r}"
    assert "later" not in description


def test_read_simulate_for_people():
    result = run("read", "--simulate", "li_ion_gauge")
    assert result.returncode == 0, result.stderr
    assert "MAX17048@0x36" in result.stdout
    assert "Witty Pi 4 L3V7" in result.stdout
    assert "get_throttled 0x0" in result.stdout


def test_the_simulated_clock_starts_now_unless_the_command_pins_it():
    before = datetime.now(UTC)
    now = json.loads(run("read", "--simulate", "--json").stdout)["time"]
    assert before <= datetime.fromisoformat(now) < datetime.now(UTC)  # real time: no faster
    pinned = run(
        "read", "--simulate", "--json", "--sim-start", "2026-06-15T06:00", "--sim-speed", "60"
    )
    moment = datetime.fromisoformat(json.loads(pinned.stdout)["time"])
    start = datetime(2026, 6, 15, 10, tzinfo=UTC)  # 06:00 at the site (New York, summer)
    assert start <= moment < start + timedelta(minutes=10)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--simulate", "--sim-speed", "0"), "expected a number above 0, got '0'"),
        (("--simulate", "--sim-start", "June"), "expected an ISO 8601 date and time"),
        (
            (
                "--sim-speed",
                "60",
            ),
            "add --simulate",
        ),
    ],
)
def test_bad_clock_flags_say_what_is_wrong(args, message):
    result = run("read", *args)
    assert result.returncode == 2
    assert message in result.stderr


def test_scan_simulate_names_the_chips():
    result = run("scan", "--simulate", "--json")
    assert result.returncode == 0, result.stderr
    found = {entry["address"]: entry["chip"] for entry in json.loads(result.stdout)}
    assert found == {0x08: "Witty Pi 4", 0x40: "INA219", 0x41: "INA226"}


def test_scan_without_an_i2c_bus_says_how_to_enable_it():
    result = run("scan", "--bus", "97")
    assert result.returncode == 2
    assert "cannot open /dev/i2c-97" in result.stderr
    assert "dtparam=i2c_arm=on" in result.stderr


def test_read_without_an_i2c_bus_is_a_clear_error(tmp_path):
    config = tmp_path / "bridge.toml"
    config.write_text("[hardware]\nbus = 97\n")
    result = run("read", "--config", str(config), "--data-dir", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.startswith("hardware-bridge: cannot open /dev/i2c-97")
    assert "Traceback" not in result.stderr


def test_serve_reads_its_config_file_once_so_a_pipe_will_do(tmp_path):
    # A pipe can be read once: a second read would find it empty and take the default wiring.
    result = run(
        "serve", "--config", "/dev/stdin", "--data-dir", str(tmp_path), "--no-zeroconf",
        stdin="[hardware]\nbus = 97\n[server]\nport = 0\n" + WORKER_TABLE,
    )  # fmt: skip
    assert result.returncode == 2
    assert "cannot open /dev/i2c-97" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("read", "--simulate", "no_such_scenario"), "no_such_scenario"),
        (("read", "--config", "/nonexistent/bridge.toml"), "/nonexistent/bridge.toml"),
    ],
)
def test_bad_input_is_a_clear_error_without_traceback(args, message):
    result = run(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
