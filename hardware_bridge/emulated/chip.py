"""What an emulated chip looks like on the wire: it receives written bytes and sends read bytes.

Modelling the wire rather than the SMBus calls keeps each chip's quirks in the chip (a register
pointer, high-byte-first words, one-byte answers) and the SMBus translation in the bus.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import ClassVar


class EmulatedChip(ABC):
    """A slave on the emulated bus."""

    def __init__(self, address: int) -> None:
        self.address = address

    @abstractmethod
    def receive(self, data: bytes) -> None:
        """A write transaction: the first byte is the register (pointer), then the payload."""

    @abstractmethod
    def send(self, length: int) -> bytes:
        """A read transaction of ``length`` bytes from the current pointer."""


class WordRegisterChip(EmulatedChip):
    """A chip of 16-bit registers sent high byte first, behind a register pointer.

    This is the INA219/INA226/MAX17048 family. Subclasses supply power-on values, which registers
    are writable and what a read computes.
    """

    power_on_registers: ClassVar[Mapping[int, int]] = {}
    writable: ClassVar[frozenset[int]] = frozenset()

    def __init__(self, address: int) -> None:
        super().__init__(address)
        self.pointer = 0
        self.registers: dict[int, int] = {}
        self.reset()

    def reset(self) -> None:
        """Power-on reset: every register back to its datasheet default."""
        self.registers = dict(self.power_on_registers)

    def receive(self, data: bytes) -> None:
        if not data:
            return
        self.pointer = data[0]
        if len(data) >= 3:
            if self.pointer not in self.writable:
                raise OSError(121, "Remote I/O error")  # the chip NACKs a read-only register
            self.write_register(self.pointer, (data[1] << 8) | data[2])

    def send(self, length: int) -> bytes:
        # A register the chip lacks: the address was ACKed, the data lines float high.
        value = 0xFFFF
        if self.pointer in self.registers:
            value = self.read_register(self.pointer) & 0xFFFF
        word = bytes((value >> 8, value & 0xFF))
        # Reading past the two bytes of a register repeats them, as these chips do.
        return (word * ((length + 1) // 2))[:length]

    def read_register(self, register: int) -> int:
        """The value a read of ``register`` returns; subclasses compute measurement registers."""
        return self.registers[register]

    def write_register(self, register: int, value: int) -> None:
        """A write to a writable register."""
        self.registers[register] = value
