"""The Pi itself: the host reader on fake /proc and /sys trees, and the simulated host."""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from datetime import datetime

import pytest

from hardware_bridge.hardware.drivers.register_device import RetryPolicy
from hardware_bridge.hardware.host import (
    GET_THROTTLED,
    MEMINFO,
    STAT,
    THERMAL_ZONE,
    LinuxHost,
    throttling,
)
from hardware_bridge.sim.clock import ManualClock
from hardware_bridge.sim.host import PiThermal
from hardware_bridge.sim.world import Simulation
from tests.bridge.test_simulation import scenario_with
from tests.support.clock import JUNE_MORNING

NO_SLEEP = RetryPolicy(sleep=lambda _: None)
MEMINFO_TEXT = """\
MemTotal:        3884328 kB
MemFree:         2871204 kB
MemAvailable:    3402952 kB
Buffers:           43644 kB
"""


FLAGS = ("under_voltage", "arm_frequency_capped", "throttled", "soft_temperature_limit")


def on(flags, since_boot=False):
    """The flags set now (or since boot)."""
    suffix = "_occurred" if since_boot else ""
    return {name for name in FLAGS if getattr(flags, f"{name}{suffix}")}


def stat_text(user, system, idle, iowait, cores=4):
    """/proc/stat with the all-cores line first, as the kernel writes it."""
    lines = [f"cpu  {user} 0 {system} {idle} {iowait} 0 0 0 0 0"]
    lines += [f"cpu{n} 1 0 1 1 0 0 0 0 0 0" for n in range(cores)]
    lines += ["intr 12345 0 0", "ctxt 67890", "btime 1750000000"]
    return "\n".join(lines) + "\n"


@pytest.fixture
def pi(tmp_path):
    """A Raspberry Pi's files under a root of its own."""
    root = tmp_path / "root"
    for name, text in (
        (STAT, stat_text(user=100, system=100, idle=700, iowait=100)),
        (MEMINFO, MEMINFO_TEXT),
        (THERMAL_ZONE, "48312\n"),
        (GET_THROTTLED, "50005\n"),
    ):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_a_pi_reads_as_its_files_say(pi, tmp_path):
    reading = LinuxHost(pi, disk=tmp_path).read(None)
    assert reading.soc_temperature == pytest.approx(48.312)
    assert reading.total_memory_bytes == 3884328 * 1024
    assert reading.available_memory_bytes == 3402952 * 1024
    disk = os.statvfs(tmp_path)
    assert reading.total_disk_bytes == disk.f_blocks * disk.f_frsize
    assert 0 < reading.free_disk_bytes <= reading.total_disk_bytes
    assert on(reading.throttling) == {"under_voltage", "throttled"}


def test_the_cpu_load_is_the_busy_share_of_the_ticks_between_two_reads(pi):
    host = LinuxHost(pi)
    assert host.read(None).cpu_percent == pytest.approx(20.0)  # at first: since boot
    # 1000 more ticks, 500 of them busy.
    (pi / STAT).write_text(stat_text(user=500, system=200, idle=1200, iowait=100))
    assert host.read(None).cpu_percent == pytest.approx(50.0)
    assert host.read(None).cpu_percent == pytest.approx(50.0)  # no tick since: the last figure


def test_without_the_worker_is_the_load_less_the_workers_share_of_all_cores(pi):
    host = LinuxHost(pi)
    host.read(None)
    (pi / STAT).write_text(stat_text(user=500, system=200, idle=1200, iowait=100))
    # docker stats counts 100 % for one core busy: a quarter of a four-core Pi.
    reading = host.read(100.0)
    assert reading.cpu_percent == pytest.approx(50.0)
    assert reading.background_cpu_percent == pytest.approx(25.0)
    assert host.read(None).background_cpu_percent == pytest.approx(50.0)


def test_a_worker_measured_over_another_interval_never_makes_the_rest_negative(pi):
    assert LinuxHost(pi).read(400.0).background_cpu_percent == 0.0


@pytest.mark.parametrize(
    ("text", "now", "since_boot"),
    [
        ("0", set(), set()),
        ("50005", {"under_voltage", "throttled"}, {"under_voltage", "throttled"}),
        ("0x80008", {"soft_temperature_limit"}, {"soft_temperature_limit"}),
        ("50000", set(), {"under_voltage", "throttled"}),
        ("e000e", {"arm_frequency_capped", "throttled", "soft_temperature_limit"},
         {"arm_frequency_capped", "throttled", "soft_temperature_limit"}),
    ],
)  # fmt: skip
def test_the_throttling_bits_decode_as_the_firmware_documents(pi, text, now, since_boot):
    (pi / GET_THROTTLED).write_text(f"{text}\n")
    flags = LinuxHost(pi).read(None).throttling
    assert flags.bits == int(text, 16)
    assert on(flags) == now
    assert on(flags, since_boot=True) == since_boot


def test_throttling_decodes_bit_by_bit():
    assert throttling(1 << 17).arm_frequency_capped_occurred
    assert not throttling(1 << 17).arm_frequency_capped


def test_off_a_pi_every_missing_figure_is_null_and_said_once(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="hardware_bridge.hardware.host")
    host = LinuxHost(tmp_path / "empty", disk=tmp_path / "gone")
    for _ in range(5):
        reading = host.read(50.0)
    assert reading.cpu_percent is None
    assert reading.background_cpu_percent is None
    assert reading.soc_temperature is None
    assert reading.throttling is None
    assert reading.total_memory_bytes is None
    assert reading.free_disk_bytes is None
    assert len(caplog.records) == 5  # stat, meminfo, thermal zone, get_throttled, disk
    assert sum("thermal_zone0" in r.getMessage() for r in caplog.records) == 1


def test_a_garbage_file_is_null_and_said_once_and_the_rest_is_read(pi, caplog):
    (pi / THERMAL_ZONE).write_text("not a number\n")
    (pi / GET_THROTTLED).write_text("throttled=?\n")
    (pi / STAT).write_text("cpu  lots of ticks\n")
    (pi / MEMINFO).write_bytes(b"\xff\xfe\x00 not text")
    host = LinuxHost(pi, disk=pi)
    for _ in range(5):
        reading = host.read(None)
    assert reading.soc_temperature is None
    assert reading.throttling is None
    assert reading.cpu_percent is None
    assert reading.total_memory_bytes is None
    assert reading.free_disk_bytes > 0
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 4
    assert any("'not a number'" in message for message in warnings)


# The simulated host


def simulated(scenario):
    # The shipped default starts now: pin the tests' June morning, whatever the wall clock says.
    clock = ManualClock(scenario.clock.start or JUNE_MORNING)
    simulation = Simulation(scenario, clock)
    return simulation, clock, simulation.hardware(retry=NO_SLEEP)


def run(hardware, clock, minutes):
    for _ in range(minutes):
        clock.advance(60)
        snapshot = hardware.sample()
    return snapshot.host


def test_the_simulated_soc_warms_with_the_workers_load_and_cools_after():
    simulation, clock, hardware = simulated(scenario_with("default"))
    idle = run(hardware, clock, 10)
    enclosure = simulation.truth.enclosure_temperature
    assert idle.soc_temperature == pytest.approx(enclosure + 10.0, abs=0.5)
    assert idle.cpu_percent == idle.background_cpu_percent == 3.0
    hardware.report_worker_cpu(100.0)  # one core busy: the stand-in worker's whole quota
    first = run(hardware, clock, 1)
    assert idle.soc_temperature < first.soc_temperature  # on its way up, not there at once
    busy = run(hardware, clock, 15)
    assert busy.soc_temperature == pytest.approx(
        simulation.truth.enclosure_temperature + 32.0, abs=0.5
    )
    assert busy.cpu_percent == 100.0
    assert busy.background_cpu_percent == 3.0
    assert busy.available_memory_bytes < idle.available_memory_bytes
    hardware.report_worker_cpu(None)
    assert run(hardware, clock, 15).soc_temperature < busy.soc_temperature - 15


def test_a_hot_simulated_soc_reaches_the_soft_limit_then_throttles_and_remembers_it():
    scenario = scenario_with("default")
    _, clock, hardware = simulated(replace(scenario, thermal=PiThermal(load_rise=60)))
    assert hardware.sample().host.soc_temperature < 50  # idle before dawn
    hardware.report_worker_cpu(100.0)
    seen = []
    for _ in range(30):
        host = run(hardware, clock, 1)
        seen.append((host.soc_temperature, host.throttling))
    soft = next(flags for celsius, flags in seen if 80 <= celsius < 85)
    assert on(soft) == {"soft_temperature_limit", "arm_frequency_capped"}
    hard = next(flags for celsius, flags in seen if celsius >= 85)
    assert on(hard) == {"soft_temperature_limit", "arm_frequency_capped", "throttled"}
    hardware.report_worker_cpu(None)
    cool = run(hardware, clock, 30).throttling
    assert on(cool) == set()
    assert on(cool, since_boot=True) == on(hard)


def test_a_sagging_battery_is_an_under_voltage_on_the_simulated_pi():
    # A 2S LiFePO4 pack nearly empty at night: the Witty Pi cannot hold 5 V from it.
    sagging = scenario_with(
        "default",
        battery={"initial_soc": 1},
        hardware={"battery": {"nominal_voltage": 6.4}},
        clock={"start": datetime(2026, 6, 15, 2)},
    )
    simulation, _, hardware = simulated(sagging)
    host = hardware.sample().host
    assert simulation.truth.pi_supply_voltage < 4.63
    assert on(host.throttling) == {"under_voltage", "throttled"}
    assert hardware.sample().witty_pi.output_voltage < 4.7
    healthy = simulated(scenario_with("default"))[2].sample()
    assert healthy.host.throttling.bits == 0
