"""The [hardware] table: defaults, every key validated, errors that name the key."""

import pytest

from hardware_bridge.config import HardwareConfig, MonitorConfig
from hardware_bridge.errors import ConfigError
from hardware_bridge.loader import load_config, parse_config


def load_hardware_config(path):
    return load_config(path).hardware


def parse_hardware(table):
    return parse_config({"hardware": table}).hardware


def test_no_config_file_means_the_documented_wiring():
    config = load_hardware_config(None)
    assert config.solar == MonitorConfig("ina219", 0x40, 0.01, 8.0, 1.0)
    assert config.battery.monitor == MonitorConfig("ina226", 0x41, 0.01, 8.0, 1.0)
    assert config.witty_pi is not None
    assert config.witty_pi.address == 0x08
    assert config.witty_pi.poll_interval == 60.0
    assert config.battery.pack.cells == 4


def test_a_full_table_is_read(tmp_path):
    path = tmp_path / "bridge.toml"
    path.write_text(
        """
        [hardware]
        bus = 3
        [hardware.witty_pi]
        address = 0x09
        poll_interval = 120
        rtc_timezone = "Europe/Paris"
        [hardware.battery]
        chemistry = "li_ion"
        nominal_voltage = 3.7
        capacity_ah = 10
        [hardware.battery.monitor]
        chip = "max17048"
        [hardware.solar]
        enabled = false
        """
    )
    config = load_hardware_config(path)
    assert config.bus == 3
    assert config.solar is None
    assert config.witty_pi is not None
    assert (config.witty_pi.address, config.witty_pi.rtc_timezone) == (0x09, "Europe/Paris")
    assert config.battery.monitor == MonitorConfig("max17048", 0x36)
    assert config.monitors() == {"battery": config.battery.monitor}


def test_the_witty_pi_can_be_left_out():
    assert parse_hardware({"witty_pi": {"enabled": False}}).witty_pi is None


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"bus": "one"}, "hardware.bus: expected a whole number"),
        ({"solar": {"chip": "ina3221"}}, "hardware.solar.chip: expected one of ina219, ina226"),
        (
            {"solar": {"chip": "ina219", "address": 0x80}},
            "hardware.solar.address: expected a 7-bit",
        ),
        (
            {"solar": {"chip": "ina219", "address": 0x40, "shunt_ohms": 0}},
            "shunt_ohms: expected a number greater than 0",
        ),
        (
            {"solar": {"chip": "ina219", "address": 0x40, "max_current": "2A"}},
            "max_current: expected a number",
        ),
        ({"solar": {"chip": "ina219", "address": 0x40, "shunt": 0.1}}, "unknown key(s) shunt"),
        ({"battery": {"chemistry": "nicd"}}, "hardware.battery.chemistry: expected one of"),
        ({"battery": {"monitor": {"chip": "max17048", "address": True}}}, "monitor.address"),
        ({"witty_pi": {"rtc_timezone": 1}}, "rtc_timezone: expected a zone name"),
        ({"witty_pi": "yes"}, "hardware.witty_pi: expected a table"),
        ({"wity_pi": {}}, "hardware: unknown key(s) wity_pi"),
    ],
)
def test_bad_values_are_refused_naming_the_key(table, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_hardware(table)


def test_a_broken_file_names_the_file(tmp_path):
    path = tmp_path / "bridge.toml"
    path.write_text("[hardware\n")
    with pytest.raises(ConfigError, match=r"bridge\.toml"):
        load_hardware_config(path)


def test_a_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="No such file"):
        load_hardware_config(tmp_path / "absent.toml")


def test_defaults_are_a_dataclass_value():
    assert HardwareConfig().battery.chemistry == "lifepo4"
