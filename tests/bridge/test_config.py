"""The [hardware] table: defaults, every key validated, errors that name the key."""

import pytest

from hardware_bridge.base.errors import ConfigError
from hardware_bridge.config.loader import load_config, parse_config
from hardware_bridge.hardware.config import HardwareConfig, MonitorConfig


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


def test_a_hardware_table_with_only_the_battery_keeps_the_documented_wiring_for_the_rest():
    config = parse_hardware({"battery": {"capacity_ah": 100}})
    assert config.battery.capacity_ah == 100
    assert config.battery.monitor == HardwareConfig().battery.monitor
    assert config.solar == HardwareConfig().solar
    assert config.witty_pi == HardwareConfig().witty_pi


def test_enabled_false_leaves_a_part_unwired():
    config = parse_hardware(
        {"solar": {"enabled": False}, "battery": {"monitor": {"enabled": False}}}
    )
    assert (config.solar, config.battery.monitor) == (None, None)
    assert config.monitors() == {}


def test_a_monitor_table_without_its_chip_is_an_error_not_a_silent_null():
    with pytest.raises(ConfigError, match=r"hardware\.solar\.chip: required: one of ina219"):
        parse_hardware({"solar": {"address": 0x44}})


def test_a_monitor_table_reads_its_left_out_keys_as_the_documented_wiring():
    # The default shunt and range live in one place: a bare table reads like the default part.
    config = parse_hardware({"solar": {"chip": "ina219", "address": 0x40}})
    assert config.solar == HardwareConfig().solar == load_hardware_config(None).solar


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ({"bus": True}, "hardware.bus"),
        ({"solar": {"chip": "ina219", "address": 0x40, "shunt_ohms": True}}, "shunt_ohms"),
        ({"battery": {"capacity_ah": False}}, "hardware.battery.capacity_ah"),
        ({"witty_pi": {"poll_interval": True}}, "hardware.witty_pi.poll_interval"),
    ],
)
def test_a_bool_is_never_read_as_a_number(table, key):
    with pytest.raises(
        ConfigError, match=rf"{key}: expected a (whole )?number.*, got (True|False)"
    ):
        parse_hardware(table)


def test_a_number_is_never_read_as_a_bool():
    with pytest.raises(ConfigError, match=r"hardware\.witty_pi\.enabled: expected true or false"):
        parse_hardware({"witty_pi": {"enabled": 0}})
