"""The idle rules: each domain's idle states, power below a threshold, silence counted as idle."""

from __future__ import annotations

import pytest

from custom_components.positive_energy_worker.idle import (
    PI_CPU,
    Activity,
    DeviceState,
    activity,
    in_use,
    report,
)


@pytest.mark.parametrize(
    ("entity_id", "state", "expected"),
    [
        ("media_player.tv", "off", Activity.IDLE),
        ("media_player.tv", "standby", Activity.IDLE),
        ("media_player.tv", "idle", Activity.IDLE),
        ("media_player.tv", "playing", Activity.BUSY),
        ("media_player.tv", "paused", Activity.BUSY),  # someone will be back
        ("switch.kettle", "off", Activity.IDLE),
        ("switch.kettle", "on", Activity.BUSY),
        ("light.desk", "on", Activity.BUSY),
        ("binary_sensor.washer_running", "off", Activity.IDLE),
        ("binary_sensor.washer_running", "on", Activity.BUSY),
        ("vacuum.robot", "docked", Activity.IDLE),
        ("vacuum.robot", "cleaning", Activity.BUSY),
        ("vacuum.robot", "returning", Activity.BUSY),
        ("climate.heat_pump", "off", Activity.IDLE),
        ("climate.heat_pump", "heat", Activity.BUSY),
        ("switch.kettle", "unavailable", Activity.UNKNOWN),
        ("media_player.tv", "unknown", Activity.UNKNOWN),
    ],
)
def test_each_domain_has_its_idle_states(entity_id: str, state: str, expected: Activity) -> None:
    assert activity(DeviceState(entity_id, state), idle_power_w=10) is expected


def test_a_climate_device_that_does_nothing_is_idle_whatever_its_mode() -> None:
    assert activity(DeviceState("climate.hp", "heat", hvac_action="idle"), 10) is Activity.IDLE
    assert activity(DeviceState("climate.hp", "heat", hvac_action="heating"), 10) is Activity.BUSY


@pytest.mark.parametrize(
    ("state", "unit", "device_class", "expected"),
    [
        ("9.9", "W", "power", Activity.IDLE),
        ("10", "W", "power", Activity.BUSY),
        ("0.05", "kW", None, Activity.BUSY),  # 50 W: the unit alone makes a power sensor
        ("0.005", "kW", "power", Activity.IDLE),
        ("n/a", "W", "power", Activity.UNKNOWN),
    ],
)
def test_a_power_sensor_is_busy_from_the_threshold_up(
    state: str, unit: str, device_class: str | None, expected: Activity
) -> None:
    plug = DeviceState("sensor.washer_power", state, device_class, unit)
    assert activity(plug, idle_power_w=10) is expected


def test_a_sensor_that_is_no_power_sensor_follows_its_state() -> None:
    assert activity(DeviceState("sensor.washer_status", "idle"), 10) is Activity.IDLE
    assert activity(DeviceState("sensor.washer_status", "washing"), 10) is Activity.BUSY


def test_the_report_names_what_keeps_the_home_busy_and_what_went_unheard() -> None:
    devices = [
        DeviceState("media_player.tv", "playing"),
        DeviceState("switch.kettle", "off"),
        DeviceState("light.desk", "unavailable"),
        DeviceState("sensor.oven_power", "1500", "power", "W"),
    ]
    seen = report(devices, idle_power_w=10)
    assert seen.busy == ("media_player.tv", "sensor.oven_power")
    assert seen.unknown == ("light.desk",)
    assert not seen.idle
    quiet = report([DeviceState("light.desk", "unavailable")], idle_power_w=10)
    assert quiet.idle  # unheard is not busy


def test_the_pi_is_busy_when_its_own_load_reaches_the_limit() -> None:
    assert report([], 10, pi_cpu_percent=49.0, pi_cpu_limit=50).busy == ()
    assert report([], 10, pi_cpu_percent=50.0, pi_cpu_limit=50).busy == (PI_CPU,)
    assert report([], 10, pi_cpu_percent=None, pi_cpu_limit=50).idle


def test_consumers_in_use_are_what_busy_consumers_takes() -> None:
    consumers = [DeviceState("binary_sensor.ev_charging", "on"), DeviceState("switch.wb", "off")]
    assert in_use(consumers, 10) == {"binary_sensor.ev_charging": True, "switch.wb": False}
