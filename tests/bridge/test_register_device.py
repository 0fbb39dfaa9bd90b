"""Register access shared by every driver: byte order, retries with backoff, verified writes."""

import errno
from typing import ClassVar

import pytest

from hardware_bridge.base.errors import ReadingError, WriteVerifyError
from hardware_bridge.emulated.bus import EmulatedBus
from hardware_bridge.emulated.chip import WordRegisterChip
from hardware_bridge.hardware.drivers.register_device import (
    RegisterDevice,
    RetryPolicy,
    swap16,
    to_signed16,
)


class _Chip(WordRegisterChip):
    power_on_registers: ClassVar = {0x00: 0x1234, 0x01: 0x8001, 0x05: 0x0000}
    writable = frozenset({0x00, 0x05})

    def write_register(self, register, value):
        # Like INA219's calibration register, bit 0 does not exist.
        super().write_register(register, value & 0xFFFE if register == 0x05 else value)


class _Device(RegisterDevice):
    chip = "TEST"
    register_names: ClassVar = {0x00: "CONFIG", 0x05: "CALIBRATION"}


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def device(sleeps):
    bus = EmulatedBus([_Chip(0x40)])
    return _Device(
        bus, 0x40, retry=RetryPolicy(attempts=4, first_delay=0.01, factor=2, sleep=sleeps.append)
    )


def test_words_arrive_high_byte_first():
    assert swap16(0x3412) == 0x1234
    assert to_signed16(0x8001) == -32767
    assert to_signed16(0x7FFF) == 32767


def test_reads_16_bit_registers_in_chip_order(device):
    assert device.read_u16_be(0x00) == 0x1234
    assert device.read_s16_be(0x01) == -32767


def test_writes_go_high_byte_first(device):
    device.write_u16_be(0x00, 0xABCD)
    assert device.bus.chips[0x40].registers[0x00] == 0xABCD


def test_a_short_nack_burst_is_retried_with_backoff(device, sleeps):
    device.bus.inject_errors(0x40, 3)
    assert device.read_u16_be(0x00) == 0x1234
    assert sleeps == pytest.approx([0.01, 0.02, 0.04])


@pytest.mark.parametrize("err", [errno.EREMOTEIO, errno.EIO, errno.EBUSY])
def test_a_long_burst_raises_a_reading_error_naming_chip_and_register(device, err):
    device.bus.inject_errors(0x40, 4, err)
    with pytest.raises(ReadingError) as caught:
        device.read_u16_be(0x05)
    assert caught.value.errno == err
    assert str(caught.value).startswith("TEST@0x40: register 0x05 CALIBRATION:")
    assert device.read_u16_be(0x00) == 0x1234  # works again once the burst is over


def test_other_errors_are_not_retried(device, sleeps):
    device.bus.inject_errors(0x40, 1, errno.ENODEV)
    with pytest.raises(ReadingError):
        device.read_u16_be(0x00)
    assert sleeps == []


def test_verified_write_catches_a_register_that_reads_back_different(device):
    with pytest.raises(WriteVerifyError, match="wrote 0x1001, read back 0x1000"):
        device.write_u16_be_verified(0x05, 0x1001)
    device.write_u16_be_verified(0x05, 0x1000)


def test_an_absent_chip_nacks(sleeps):
    device = _Device(EmulatedBus(), 0x41, retry=RetryPolicy(sleep=sleeps.append))
    with pytest.raises(ReadingError, match=r"TEST@0x41: register 0x00 CONFIG: .*EREMOTEIO"):
        device.read_u8(0x00)
    assert len(sleeps) == 3
