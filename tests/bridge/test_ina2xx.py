"""INA219 and INA226 drivers against their emulated chips, byte for byte."""

import errno

import pytest

from hardware_bridge.base.errors import ConfigError, ReadingError, WriteVerifyError
from hardware_bridge.emulated.bus import EmulatedBus
from hardware_bridge.emulated.ina219 import Ina219Emulator
from hardware_bridge.emulated.ina226 import Ina226Emulator
from hardware_bridge.hardware.drivers.ina219 import Ina219
from hardware_bridge.hardware.drivers.ina226 import Ina226
from hardware_bridge.hardware.drivers.register_device import RetryPolicy


@pytest.fixture
def sleeps():
    return []


def ina219(sleeps, shunt=0.1, max_current=3.2):
    chip = Ina219Emulator(0x40, shunt)
    bus = EmulatedBus([chip])
    driver = Ina219(bus, 0x40, shunt, max_current, retry=RetryPolicy(sleep=sleeps.append))
    return chip, bus, driver


def ina226(sleeps, shunt=0.01, max_current=8.0):
    chip = Ina226Emulator(0x41, shunt)
    bus = EmulatedBus([chip])
    driver = Ina226(bus, 0x41, shunt, max_current, retry=RetryPolicy(sleep=sleeps.append))
    return chip, bus, driver


def writes(bus):
    return [data for _, kind, data in bus.wire if kind == "write" and len(data) > 1]


def read_of(bus, register):
    """The bytes the chip sent for the last read of ``register``."""
    wire = list(bus.wire)
    for i in range(len(wire) - 1, 0, -1):
        if wire[i][1] == "read" and wire[i - 1][2] == bytes((register,)):
            return wire[i][2]
    raise AssertionError(f"register {register} was not read")


def test_ina219_calibration_follows_the_datasheet_formula(sleeps):
    _, _, driver = ina219(sleeps)
    # Current_LSB = 3.2 A / 32768; Cal = trunc(0.04096 / (LSB * 0.1)) = 4194, even.
    assert driver.calibration == 4194
    assert driver.current_lsb == pytest.approx(0.04096 / (4194 * 0.1))
    assert driver.power_lsb == pytest.approx(20 * driver.current_lsb)


def test_ina226_calibration_follows_the_datasheet_formula(sleeps):
    _, _, driver = ina226(sleeps)
    # Cal = trunc(0.00512 / (8 A / 32768 * 0.01)) = 2097.
    assert driver.calibration == 2097
    assert driver.power_lsb == pytest.approx(25 * driver.current_lsb)


def test_ina219_configuration_and_calibration_go_out_high_byte_first(sleeps):
    chip, bus, driver = ina219(sleeps)
    driver.configure()
    # 32 V range, /8 gain (320 mV), 128-sample averaging on both ADCs, continuous.
    assert writes(bus) == [b"\x00\x3f\xff", b"\x05\x10\x62"]
    assert chip.registers[0x00] == 0x3FFF
    assert chip.registers[0x05] == 4194


def test_ina219_gain_follows_the_shunt_range(sleeps):
    _, bus, driver = ina219(sleeps, shunt=0.1, max_current=0.4)  # 40 mV: gain /1
    driver.configure()
    assert writes(bus)[0] == b"\x00\x27\xff"


def test_ina226_configuration_and_calibration(sleeps):
    chip, bus, driver = ina226(sleeps)
    driver.configure()
    assert writes(bus) == [b"\x00\x45\x27", b"\x05\x08\x31"]
    assert chip.registers[0x05] == 2097


# (make, shunt ohms, bus LSB, shunt LSB, volts, amps)
READINGS = [
    *((ina219, 0.01, 0.004, 10e-6, v, a) for v, a in [(18.0, 2.0), (12.5, 0.0), (0.0, 0.0),
                                                      (14.2, -1.25), (25.9, 6.1)]),
    *((ina226, 0.01, 0.00125, 2.5e-6, v, a) for v, a in [(13.3, 1.5), (12.9, -7.9), (36.0, 0.001)]),
]  # fmt: skip


@pytest.mark.parametrize(("make", "shunt", "bus_lsb", "shunt_lsb", "volts", "amps"), READINGS)
def test_voltage_current_and_power(sleeps, make, shunt, bus_lsb, shunt_lsb, volts, amps):
    chip, _, driver = make(sleeps, shunt=shunt, max_current=8.0)
    chip.set_inputs(volts, amps)
    sample = driver.read()
    assert sample.bus_voltage == pytest.approx(volts, abs=bus_lsb / 2)
    assert sample.shunt_voltage == pytest.approx(amps * shunt, abs=shunt_lsb)
    assert sample.current == pytest.approx(amps, abs=2 * driver.current_lsb)
    assert sample.power == pytest.approx(abs(amps) * volts, abs=2 * driver.power_lsb + 0.01)
    assert not sample.overflow


def test_ina219_bus_register_is_shifted_with_cnvr_and_ovf_bits(sleeps):
    chip, bus, driver = ina219(sleeps)
    chip.set_inputs(12.0, 1.0)
    first = driver.read()
    # 12.0 V / 4 mV = 3000, shifted left 3, plus CNVR (bit 1): 0x5DC2 high byte first.
    assert read_of(bus, 0x02) == b"\x5d\xc2"
    assert first.conversion_ready
    second = driver.read()  # no conversion since Power was read
    assert read_of(bus, 0x02) == b"\x5d\xc0"
    assert not second.conversion_ready


def test_ina219_signed_current_is_twos_complement(sleeps):
    chip, bus, driver = ina219(sleeps)
    chip.set_inputs(12.0, -1.0)
    sample = driver.read()
    # -1 A through 0.1 ohm: -100 mV = -10000 steps of 10 µV = 0xD8F0.
    assert read_of(bus, 0x01) == b"\xd8\xf0"
    assert read_of(bus, 0x04)[0] & 0x80  # the Current register is negative too
    assert sample.current == pytest.approx(-1.0, abs=2 * driver.current_lsb)


def test_ina219_overflow_is_reported_with_a_valid_bus_voltage(sleeps):
    chip, _, driver = ina219(sleeps)
    chip.set_inputs(12.0, 4.0)  # 400 mV across the shunt: beyond the 320 mV range
    sample = driver.read()
    assert sample.overflow
    assert sample.bus_voltage == pytest.approx(12.0, abs=0.004)


def test_ina226_flags_live_in_mask_enable_and_reading_it_clears_cvrf(sleeps):
    chip, bus, driver = ina226(sleeps)
    chip.set_inputs(13.0, 9.0)  # 90 mV: beyond 81.92 mV
    sample = driver.read()
    assert sample.overflow
    assert sample.conversion_ready
    assert read_of(bus, 0x06) == b"\x00\x0c"  # CVRF | OVF
    assert not driver.read().conversion_ready
    assert read_of(bus, 0x06) == b"\x00\x04"


def test_ina226_bus_voltage_has_no_shift(sleeps):
    chip, bus, driver = ina226(sleeps)
    chip.set_inputs(13.3, 0.0)
    driver.read()
    assert read_of(bus, 0x02) == (10640).to_bytes(2, "big")  # 13.3 V / 1.25 mV


@pytest.mark.parametrize("make", [ina219, ina226])
def test_a_brownout_is_recalibrated_and_the_sample_still_right(sleeps, make):
    chip, _, driver = make(sleeps)
    chip.set_inputs(12.0, 1.5)
    driver.read()
    chip.brownout()
    assert chip.registers[0x05] == 0
    sample = driver.read()
    assert sample.current == pytest.approx(1.5, abs=0.002)  # from the shunt voltage
    assert driver.calibration_resets == 1
    assert chip.registers[0x05] == driver.calibration
    assert driver.read().current == pytest.approx(1.5, abs=2 * driver.current_lsb)
    assert driver.calibration_resets == 1


def test_the_config_reset_bit_restores_power_on_values(sleeps):
    chip, bus, driver = ina219(sleeps)
    driver.configure()
    bus.write_word_data(0x40, 0x00, 0x0080)  # 0x8000, high byte first
    assert chip.registers == Ina219Emulator.power_on_registers
    chip.set_inputs(5.0, 0.5)
    assert driver.read().current == pytest.approx(0.5, abs=0.001)
    assert driver.calibration_resets == 1


def test_ina219_calibration_bit_zero_is_void(sleeps):
    chip, _, driver = ina219(sleeps)
    with pytest.raises(WriteVerifyError, match="wrote 0x1063, read back 0x1062"):
        driver.write_u16_be_verified(0x05, 0x1063)
    assert chip.registers[0x05] == 0x1062


def test_a_write_to_a_read_only_register_is_nacked(sleeps):
    _, _, driver = ina219(sleeps)
    with pytest.raises(ReadingError, match=r"INA219@0x40: register 0x01 SHUNT_VOLTAGE"):
        driver.write_u16_be(0x01, 0x1234)


def test_a_nack_burst_shorter_than_the_retries_is_absorbed(sleeps):
    chip, bus, driver = ina219(sleeps)
    driver.configure()
    chip.set_inputs(12.0, 1.0)
    bus.inject_errors(0x40, 3)
    assert driver.read().bus_voltage == pytest.approx(12.0, abs=0.004)
    assert sleeps == [0.005, 0.02, 0.08]  # exponential backoff


@pytest.mark.parametrize("err", [errno.EREMOTEIO, errno.EIO, errno.EBUSY])
def test_a_longer_burst_is_a_reading_error_naming_chip_and_register(sleeps, err):
    _, bus, driver = ina226(sleeps)
    driver.configure()
    bus.inject_errors(0x41, 4, err)
    with pytest.raises(ReadingError) as caught:
        driver.read()
    assert str(caught.value).startswith("INA226@0x41: register 0x06 MASK_ENABLE:")
    assert caught.value.errno == err
    assert bus.pending_errors(0x41) == 0


def test_an_error_that_is_not_transient_is_not_retried(sleeps):
    _, bus, driver = ina219(sleeps)
    driver.configure()
    bus.inject_errors(0x40, 1, errno.EBADF)
    with pytest.raises(ReadingError, match="EBADF"):
        driver.read()
    assert sleeps == []


@pytest.mark.parametrize(
    ("make", "shunt", "amps", "message"),
    [(Ina219, 0.1, 4.0, "400 mV across the shunt"), (Ina226, 0.1, 1.0, "81.92 mV")],
)
def test_a_shunt_range_the_chip_cannot_measure_is_a_config_error(make, shunt, amps, message):
    with pytest.raises(ConfigError, match=message):
        make(EmulatedBus(), 0x40, shunt, amps)


def test_constructors_do_no_io():
    bus = EmulatedBus()
    Ina219(bus, 0x40, 0.1, 3.2)
    Ina226(bus, 0x41, 0.01, 8)
    assert sum(bus.transactions.values()) == 0


def test_probes_tell_the_chips_apart(sleeps):
    bus = EmulatedBus([Ina219Emulator(0x40, 0.1), Ina226Emulator(0x41, 0.01)])
    assert Ina226.probe(bus, 0x41)
    assert not Ina226.probe(bus, 0x40)
    assert Ina219.probe(bus, 0x40)
    assert not Ina219.probe(bus, 0x41)
    assert not Ina219.probe(bus, 0x45)  # nobody there
    configured = Ina219(bus, 0x40, 0.1, 3.2)
    configured.configure()
    assert Ina219.probe(bus, 0x40)  # still recognised once configured
