"""An I2C bus of emulated chips, with the same protocol as smbus2.SMBus.

It turns each SMBus call into the wire transactions a real adapter performs (a pointer write
followed by a read), so drivers meet the chips' byte order and quirks exactly as on a Pi. Faults
are injected per address: a burst of NACKs (errno 121), bus errors (5) or busy (16).
"""

from __future__ import annotations

import errno
import threading
from collections import Counter, deque
from collections.abc import Iterable, Sequence

from hardware_bridge.emulated.chip import EmulatedChip


class EmulatedBus:
    """A bus with chips attached at their addresses."""

    def __init__(self, chips: Iterable[EmulatedChip] = ()) -> None:
        self.chips: dict[int, EmulatedChip] = {}
        self._faults: dict[int, list[int]] = {}
        self._lock = threading.Lock()
        self.transactions: Counter[int] = Counter()
        # The latest bytes on the wire, (address, "write" | "read", bytes), for byte-exact tests.
        self.wire: deque[tuple[int, str, bytes]] = deque(maxlen=4096)
        self.closed = False
        for chip in chips:
            self.attach(chip)

    def attach(self, chip: EmulatedChip) -> None:
        """Put a chip on the bus at its address."""
        if chip.address in self.chips:
            raise ValueError(f"address 0x{chip.address:02x} is taken")
        self.chips[chip.address] = chip

    def detach(self, address: int) -> None:
        """Take a chip off the bus (a loose wire): it stops answering."""
        self.chips.pop(address, None)

    def inject_errors(self, address: int, count: int, err: int = errno.EREMOTEIO) -> None:
        """Make the next ``count`` transactions with ``address`` fail with ``err``."""
        with self._lock:
            self._faults.setdefault(address, []).extend([err] * count)

    def clear_errors(self, address: int) -> None:
        """The wire is fixed: no more injected errors for ``address``."""
        with self._lock:
            self._faults.pop(address, None)

    def pending_errors(self, address: int) -> int:
        """How many injected errors are still to come for ``address``."""
        with self._lock:
            return len(self._faults.get(address, []))

    def _chip(self, address: int) -> EmulatedChip:
        """The chip that ACKs ``address``, or the OSError a real adapter raises."""
        if self.closed:
            raise OSError(errno.EBADF, "bus closed")
        self.transactions[address] += 1
        with self._lock:
            faults = self._faults.get(address)
            if faults:
                err = faults.pop(0)
                raise OSError(err, errno.errorcode.get(err, "I2C error"))
        chip = self.chips.get(address)
        if chip is None:
            raise OSError(errno.EREMOTEIO, "Remote I/O error")
        return chip

    def _write_then_read(self, address: int, register: int, length: int) -> bytes:
        chip = self._chip(address)
        with self._lock:
            chip.receive(bytes((register,)))
            data = chip.send(length)
            self.wire.append((address, "write", bytes((register,))))
            self.wire.append((address, "read", data))
            return data

    def _write(self, address: int, payload: Sequence[int]) -> None:
        chip = self._chip(address)
        with self._lock:
            self.wire.append((address, "write", bytes(payload)))
            chip.receive(bytes(payload))

    def read_byte(self, i2c_addr: int) -> int:
        chip = self._chip(i2c_addr)
        with self._lock:
            data = chip.send(1)
            self.wire.append((i2c_addr, "read", data))
            return data[0]

    def write_byte(self, i2c_addr: int, value: int) -> None:
        self._write(i2c_addr, (value,))

    def read_byte_data(self, i2c_addr: int, register: int) -> int:
        return self._write_then_read(i2c_addr, register, 1)[0]

    def write_byte_data(self, i2c_addr: int, register: int, value: int) -> None:
        self._write(i2c_addr, (register, value & 0xFF))

    def read_word_data(self, i2c_addr: int, register: int) -> int:
        low, high = self._write_then_read(i2c_addr, register, 2)
        return low | (high << 8)

    def write_word_data(self, i2c_addr: int, register: int, value: int) -> None:
        self._write(i2c_addr, (register, value & 0xFF, (value >> 8) & 0xFF))

    def read_i2c_block_data(self, i2c_addr: int, register: int, length: int) -> list[int]:
        return list(self._write_then_read(i2c_addr, register, length))

    def write_i2c_block_data(self, i2c_addr: int, register: int, data: Sequence[int]) -> None:
        self._write(i2c_addr, (register, *data))

    def close(self) -> None:
        self.closed = True
