"""What every chip driver shares: register access with retries, byte order and error naming.

No I/O happens in constructors: a driver touches the bus only when asked to.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import ClassVar, TypeVar

from hardware_bridge.base.errors import ReadingError, WriteVerifyError
from hardware_bridge.hardware.bus import TRANSIENT_ERRNOS, I2CBus

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """Retries of transient I2C errors, with exponential backoff between attempts."""

    attempts: int = 4
    first_delay: float = 0.005
    factor: float = 4.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    def delays(self) -> list[float]:
        """The pauses between consecutive attempts."""
        return [self.first_delay * self.factor**i for i in range(self.attempts - 1)]


DEFAULT_RETRY = RetryPolicy()


def swap16(word: int) -> int:
    """SMBus words travel low byte first; these chips send the high byte first."""
    return ((word & 0xFF) << 8) | (word >> 8)


def to_signed16(value: int) -> int:
    """Two's complement of a 16-bit register."""
    return value - 0x10000 if value & 0x8000 else value


class RegisterDevice:
    """A chip at one address on one bus, read and written register by register."""

    chip: ClassVar[str] = "chip"
    register_names: ClassVar[Mapping[int, str]] = {}

    def __init__(self, bus: I2CBus, address: int, *, retry: RetryPolicy = DEFAULT_RETRY) -> None:
        self.bus = bus
        self.address = address
        self.retry = retry

    @property
    def name(self) -> str:
        """The chip and its address, as errors and logs name it."""
        return f"{self.chip}@0x{self.address:02x}"

    def register_label(self, register: int) -> str:
        """``0x02 BUS_VOLTAGE``: the register's number and its datasheet name."""
        label = self.register_names.get(register)
        return f"0x{register:02x} {label}" if label else f"0x{register:02x}"

    def _transfer(self, register: int, operation: Callable[[], T]) -> T:
        """Run one bus transaction, retrying transient errors; raise ReadingError at the end."""
        delays = self.retry.delays()
        for attempt in range(self.retry.attempts):
            try:
                return operation()
            except OSError as err:
                if err.errno not in TRANSIENT_ERRNOS or attempt == len(delays):
                    raise ReadingError(self.name, self.register_label(register), err.errno) from err
                self.retry.sleep(delays[attempt])
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def read_u8(self, register: int) -> int:
        """One byte from a register."""
        return self._transfer(register, lambda: self.bus.read_byte_data(self.address, register))

    def write_u8(self, register: int, value: int) -> None:
        """One byte into a register."""
        self._transfer(register, lambda: self.bus.write_byte_data(self.address, register, value))

    def write_u8_verified(self, register: int, value: int) -> None:
        """Write one byte and read it back, as the chip's own tooling does."""
        self.write_u8(register, value)
        got = self.read_u8(register)
        if got != value:
            raise WriteVerifyError(
                self.name,
                self.register_label(register),
                None,
                f"wrote 0x{value:02x}, read back 0x{got:02x}",
            )

    def read_u16_be(self, register: int) -> int:
        """A 16-bit register sent high byte first."""
        word = self._transfer(register, lambda: self.bus.read_word_data(self.address, register))
        return swap16(word)

    def read_s16_be(self, register: int) -> int:
        """A signed 16-bit register sent high byte first."""
        return to_signed16(self.read_u16_be(register))

    def write_u16_be(self, register: int, value: int) -> None:
        """A 16-bit register written high byte first."""
        word = swap16(value & 0xFFFF)
        self._transfer(register, lambda: self.bus.write_word_data(self.address, register, word))

    def write_u16_be_verified(self, register: int, value: int) -> None:
        """Write a 16-bit register and read it back."""
        self.write_u16_be(register, value)
        got = self.read_u16_be(register)
        if got != value & 0xFFFF:
            raise WriteVerifyError(
                self.name,
                self.register_label(register),
                None,
                f"wrote 0x{value:04x}, read back 0x{got:04x}",
            )
