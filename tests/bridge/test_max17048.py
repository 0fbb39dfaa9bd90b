"""The MAX17048 fuel gauge driver against its emulated chip."""

import pytest

from hardware_bridge.base.errors import ReadingError
from hardware_bridge.emulated.bus import EmulatedBus
from hardware_bridge.emulated.max17048 import Max17048Emulator
from hardware_bridge.hardware.drivers.max17048 import Max17048
from hardware_bridge.hardware.drivers.register_device import RetryPolicy


@pytest.fixture
def chip():
    gauge = Max17048Emulator()
    gauge.set_inputs(3.9, 71.5, -10.0)
    return gauge


@pytest.fixture
def bus(chip):
    return EmulatedBus([chip])


@pytest.fixture
def driver(bus):
    return Max17048(bus, retry=RetryPolicy(sleep=lambda _: None))


def test_cell_voltage_soc_and_rate_are_scaled_as_the_datasheet_says(driver, bus):
    sample = driver.read()
    assert sample.cell_voltage == pytest.approx(3.9, abs=78.125e-6)
    assert sample.soc == pytest.approx(71.5, abs=1 / 256)
    assert sample.charge_rate == pytest.approx(-10.0, abs=0.208)
    wire = [data for _, kind, data in bus.wire if kind == "read"]
    # STATUS, VCELL (3.9 V / 78.125 µV = 49920), SOC (71.5 * 256 = 18304), CRATE (-48).
    assert wire == [b"\x01\x00", b"\xc3\x00", b"\x47\x80", b"\xff\xd0"]


def test_the_reset_indicator_is_reported_and_cleared(driver, chip):
    assert driver.read().reset_indicator
    driver.clear_reset_indicator()
    assert chip.registers[0x1A] == 0
    assert not driver.read().reset_indicator


def test_alerts_are_named(driver, chip):
    chip.registers[0x1A] = 0x1400
    assert driver.read().alerts == ("voltage_low", "soc_low")


def test_a_reset_is_nacked_and_counts_as_done(driver, chip):
    driver.clear_reset_indicator()
    chip.registers[0x0C] = 0x1234
    driver.reset()
    assert chip.registers[0x0C] == 0x971C
    assert driver.read().reset_indicator


def test_quick_start_sets_the_self_clearing_bit(driver, chip, bus):
    driver.quick_start()
    assert chip.quick_starts == 1
    assert (0x36, "write", b"\x06\x40\x00") in bus.wire
    assert chip.registers[0x06] == 0


def test_version_and_probe(driver, bus):
    assert driver.version() == 0x0012
    assert Max17048.probe(bus, 0x36)
    assert not Max17048.probe(bus, 0x37)


def test_a_silent_gauge_is_a_reading_error(driver, bus):
    bus.inject_errors(0x36, 4)
    with pytest.raises(ReadingError, match=r"MAX17048@0x36: register 0x1a STATUS"):
        driver.read()
