"""The I2C bus protocol every driver talks to: the subset of smbus2.SMBus we use.

On a Raspberry Pi it is a real ``smbus2.SMBus``; elsewhere it is an
:class:`hardware_bridge.emulated.bus.EmulatedBus` whose chips answer byte for byte, so the drivers
cannot tell the difference.
"""

from __future__ import annotations

import errno
from collections.abc import Sequence
from typing import Protocol

# Errors a healthy bus still produces now and then: the slave did not ACK (121, also a busy
# ATtiny), a bus-level failure such as a clock-stretching timeout (5), or the address claimed
# by a kernel driver or another master (16). Worth a retry; anything else is not.
TRANSIENT_ERRNOS = frozenset({errno.EREMOTEIO, errno.EIO, errno.EBUSY})

DEFAULT_BUS = 1


class I2CBus(Protocol):
    """SMBus transactions, with smbus2's semantics (words are little-endian on the wire)."""

    def read_byte(self, i2c_addr: int) -> int: ...

    def read_byte_data(self, i2c_addr: int, register: int) -> int: ...

    def write_byte_data(self, i2c_addr: int, register: int, value: int) -> None: ...

    def read_word_data(self, i2c_addr: int, register: int) -> int: ...

    def write_word_data(self, i2c_addr: int, register: int, value: int) -> None: ...

    def read_i2c_block_data(self, i2c_addr: int, register: int, length: int) -> list[int]: ...

    def write_i2c_block_data(self, i2c_addr: int, register: int, data: Sequence[int]) -> None: ...

    def close(self) -> None: ...


def open_bus(number: int = DEFAULT_BUS) -> I2CBus:
    """Open ``/dev/i2c-<number>``; raises OSError (ENOENT) when the bus does not exist."""
    from smbus2 import SMBus  # noqa: PLC0415  (not needed, nor installed everywhere, in simulation)

    bus: I2CBus = SMBus(number)
    return bus
