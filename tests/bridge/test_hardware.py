"""The Hardware facade: every chip sampled on its interval, faults reported, energy counted."""

import logging
from datetime import UTC, datetime, timedelta

import pytest

from hardware_bridge.base.wire import to_json
from hardware_bridge.config.loader import parse_config
from hardware_bridge.emulated.bus import EmulatedBus
from hardware_bridge.emulated.ina219 import Ina219Emulator
from hardware_bridge.emulated.ina226 import Ina226Emulator
from hardware_bridge.emulated.max17048 import Max17048Emulator
from hardware_bridge.emulated.witty_pi import WittyPi4Emulator
from hardware_bridge.hardware.drivers.register_device import RetryPolicy
from hardware_bridge.hardware.sampler import Hardware
from hardware_bridge.sim.clock import ManualClock

NO_SLEEP = RetryPolicy(sleep=lambda _: None)
START = datetime(2026, 6, 21, 12, 0, tzinfo=UTC)

WIRING = {
    "solar": {
        "chip": "ina219",
        "address": 0x40,
        "shunt_ohms": 0.1,
        "max_current": 3.2,
        "poll_interval": 2,
    },
    "battery": {
        "chemistry": "lifepo4",
        "nominal_voltage": 12.8,
        "capacity_ah": 20,
        "monitor": {
            "chip": "ina226",
            "address": 0x41,
            "shunt_ohms": 0.01,
            "max_current": 8,
            "poll_interval": 2,
        },
    },
    "witty_pi": {"poll_interval": 60, "rtc_timezone": "UTC"},
}


@pytest.fixture
def clock():
    return ManualClock(START)


@pytest.fixture
def chips(clock):
    solar = Ina219Emulator(0x40, 0.1)
    solar.set_inputs(18.0, 2.0)
    battery = Ina226Emulator(0x41, 0.01)
    battery.set_inputs(13.3, 1.5)
    witty = WittyPi4Emulator(clock, rtc_timezone=UTC)
    witty.set_inputs(13.25, 5.1, 0.6, 30.0)
    return {"solar": solar, "battery": battery, "witty": witty}


@pytest.fixture
def bus(chips):
    return EmulatedBus(chips.values())


def make_hardware(bus, clock, data_dir=None, wiring=WIRING):
    config = parse_config({"hardware": wiring}).hardware
    return Hardware(config, bus, clock=clock, data_dir=data_dir, retry=NO_SLEEP)


def test_a_sample_reads_every_chip(bus, clock):
    snapshot = make_hardware(bus, clock).sample()
    assert snapshot.degraded == {}
    assert snapshot.solar.voltage == pytest.approx(18.0, abs=0.004)
    assert snapshot.solar.current == pytest.approx(2.0, abs=0.001)
    assert snapshot.solar.chip == "INA219@0x40"
    assert snapshot.battery.voltage == pytest.approx(13.3, abs=0.002)
    assert snapshot.battery.current == pytest.approx(1.5, abs=0.001)
    assert snapshot.battery.soc_source == "voltage"
    witty = snapshot.witty_pi
    assert witty.model == "Witty Pi 4"
    assert witty.input_voltage == pytest.approx(13.25, abs=0.07)
    assert witty.output_power == pytest.approx(5.1 * 0.6, abs=0.2)
    assert witty.rtc_time == pytest.approx(START, abs=timedelta(seconds=1))


def test_each_chip_is_read_on_its_own_interval(bus, clock):
    hardware = make_hardware(bus, clock)
    hardware.sample()
    witty_reads = bus.transactions[0x08]
    solar_reads = bus.transactions[0x40]
    for _ in range(29):  # 58 s: the INAs are due every 2 s, the Witty Pi not again yet
        clock.advance(2)
        hardware.sample()
    assert bus.transactions[0x08] == witty_reads
    assert bus.transactions[0x40] > 20 * solar_reads / 2
    clock.advance(2)
    hardware.sample()
    assert bus.transactions[0x08] > witty_reads


def test_energy_is_counted_from_the_monitors(bus, clock, chips):
    hardware = make_hardware(bus, clock)
    for _ in range(1801):  # one hour at 2 s
        snapshot = hardware.sample()
        clock.advance(2)
    solar_w = snapshot.solar.power
    battery_w = snapshot.battery.power
    assert snapshot.energy.solar_harvested == pytest.approx(solar_w, rel=0.01)
    assert snapshot.energy.battery_charged == pytest.approx(battery_w, rel=0.01)
    assert snapshot.energy.consumed == pytest.approx(solar_w - battery_w, rel=0.02)
    assert snapshot.energy.battery_discharged == 0.0
    assert snapshot.battery.soc_source == "coulomb"


def test_a_dead_chip_is_a_fault_the_others_carry_on(bus, clock, caplog):
    hardware = make_hardware(bus, clock)
    bus.inject_errors(0x40, 10_000)
    for _ in range(50):
        snapshot = hardware.sample()
        clock.advance(2)
    assert snapshot.solar is None
    assert snapshot.degraded["solar"].startswith("INA219@0x40: register")
    assert snapshot.battery is not None
    assert snapshot.witty_pi is not None
    assert caplog.text.count("INA219@0x40") == 1  # once, not once per sample


def test_a_fault_clears_when_the_chip_answers_again(bus, clock, caplog):
    caplog.set_level(logging.INFO)
    hardware = make_hardware(bus, clock)
    bus.inject_errors(0x41, 4)  # more than one read's retries
    assert "battery" in hardware.sample().degraded
    clock.advance(2)
    snapshot = hardware.sample()
    assert snapshot.degraded == {}
    assert snapshot.battery is not None
    assert "battery: recovered" in caplog.text


def test_a_gap_in_the_readings_is_not_counted_as_energy(bus, clock):
    hardware = make_hardware(bus, clock)
    hardware.sample()
    bus.detach(0x40)
    for _ in range(10):
        clock.advance(2)
        hardware.sample()
    assert hardware.accounting.counters.totals["solar_harvested"] == 0.0


def test_counters_and_soc_survive_a_restart(bus, clock, tmp_path):
    first = make_hardware(bus, clock, tmp_path)
    for _ in range(100):
        first.sample()
        clock.advance(2)
    before = first.sample()
    first.close()

    again = make_hardware(EmulatedBus(bus.chips.values()), clock, tmp_path)
    after = again.sample(force=True)
    assert to_json(after.energy) == pytest.approx(to_json(before.energy))
    assert after.battery.soc == pytest.approx(before.battery.soc, abs=0.01)
    assert after.battery.soc_source == "coulomb"


def test_an_unknown_witty_pi_firmware_is_reported_not_fatal(clock, caplog):
    witty = WittyPi4Emulator(clock, firmware_id=0x00, rtc_timezone=UTC)
    witty.set_inputs(12.0, 5.1, 0.5, 20.0)
    only_witty = {
        "witty_pi": {"rtc_timezone": "UTC"},
        "solar": {"enabled": False},
        "battery": {"monitor": {"enabled": False}},
    }
    snapshot = make_hardware(EmulatedBus([witty]), clock, wiring=only_witty).sample()
    assert snapshot.witty_pi.model is None
    assert snapshot.witty_pi.firmware_id == 0
    assert snapshot.witty_pi.input_voltage == pytest.approx(12.0, abs=0.07)
    assert "unknown firmware id 0x00" in caplog.text


def test_a_fuel_gauge_gives_voltage_soc_and_rate(clock):
    gauge = Max17048Emulator()
    gauge.set_inputs(3.9, 71.5, -10.0)
    wiring = {
        "battery": {
            "chemistry": "li_ion",
            "nominal_voltage": 3.7,
            "capacity_ah": 10,
            "monitor": {"chip": "max17048"},
        },
        "solar": {"enabled": False},
        "witty_pi": {"enabled": False},
    }
    snapshot = make_hardware(EmulatedBus([gauge]), clock, wiring=wiring).sample()
    battery = snapshot.battery
    assert battery.voltage == pytest.approx(3.9, abs=0.001)
    assert (battery.soc, battery.soc_source) == (pytest.approx(71.5, abs=0.01), "gauge")
    assert battery.current == pytest.approx(-1.0, abs=0.03)  # -10 %/h of 10 Ah
    assert battery.chip == "MAX17048@0x36"


def test_snapshot_as_json_has_the_documented_keys(bus, clock):
    document = to_json(make_hardware(bus, clock).sample())
    assert {
        "time",
        "battery",
        "solar",
        "witty_pi",
        "energy",
        "degraded",
        "simulated",
    } <= document.keys()
    assert document["time"] == START.isoformat()
    assert isinstance(document["witty_pi"]["rtc_time"], str)
