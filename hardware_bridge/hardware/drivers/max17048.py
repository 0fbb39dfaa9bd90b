"""Maxim MAX17048 single-cell fuel gauge: cell voltage, state of charge and charge rate.

The gauge runs its own model (ModelGauge), so the bridge takes its SoC as given instead of
coulomb counting.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import ClassVar

from hardware_bridge.base.errors import BridgeError
from hardware_bridge.hardware.bus import I2CBus
from hardware_bridge.hardware.drivers.register_device import (
    DEFAULT_RETRY,
    RegisterDevice,
    RetryPolicy,
    swap16,
    to_signed16,
)

VCELL = 0x02
SOC = 0x04
MODE = 0x06
VERSION = 0x08
CONFIG = 0x0C
CRATE = 0x16
STATUS = 0x1A
CMD = 0xFE

VCELL_LSB = 78.125e-6  # volts
CRATE_LSB = 0.208  # %/h
QUICK_START = 0x4000
RESET_COMMAND = 0x5400
STATUS_RI = 0x0100  # reset indicator: the gauge powered up and needs its model (re)loaded
STATUS_ALERTS = {0x0200: "voltage_high", 0x0400: "voltage_low", 0x0800: "voltage_reset",
                 0x1000: "soc_low", 0x2000: "soc_change"}  # fmt: skip
VERSION_FAMILY = 0x0010


@dataclass(frozen=True)
class GaugeSample:
    """What the gauge says about the cell."""

    cell_voltage: float
    soc: float  # percent
    charge_rate: float  # percent of capacity per hour, positive while charging
    reset_indicator: bool
    alerts: tuple[str, ...]


class Max17048(RegisterDevice):
    """A MAX17048 (default address 0x36)."""

    chip: ClassVar[str] = "MAX17048"
    register_names: ClassVar[dict[int, str]] = {
        VCELL: "VCELL",
        SOC: "SOC",
        MODE: "MODE",
        VERSION: "VERSION",
        CONFIG: "CONFIG",
        CRATE: "CRATE",
        STATUS: "STATUS",
        CMD: "CMD",
    }

    def __init__(
        self, bus: I2CBus, address: int = 0x36, *, retry: RetryPolicy = DEFAULT_RETRY
    ) -> None:
        super().__init__(bus, address, retry=retry)

    def version(self) -> int:
        """The silicon version (0x001x for the MAX17048/49)."""
        return self.read_u16_be(VERSION)

    def read(self) -> GaugeSample:
        """Cell voltage, SoC, charge rate and status flags."""
        status = self.read_u16_be(STATUS)
        return GaugeSample(
            cell_voltage=self.read_u16_be(VCELL) * VCELL_LSB,
            soc=self.read_u16_be(SOC) / 256.0,
            charge_rate=to_signed16(self.read_u16_be(CRATE)) * CRATE_LSB,
            reset_indicator=bool(status & STATUS_RI),
            alerts=tuple(name for bit, name in STATUS_ALERTS.items() if status & bit),
        )

    def clear_reset_indicator(self) -> None:
        """Acknowledge a power-up, so the next one is seen."""
        status = self.read_u16_be(STATUS)
        self.write_u16_be_verified(STATUS, status & ~STATUS_RI & 0xFFFF)

    def quick_start(self) -> None:
        """Restart the SoC estimate from the present cell voltage (after a bouncy power-up)."""
        self.write_u16_be(MODE, QUICK_START)

    def reset(self) -> None:
        """Power-on reset. The gauge resets before it ACKs the command, so a NACK is success."""
        with contextlib.suppress(OSError):
            self.bus.write_word_data(self.address, CMD, swap16(RESET_COMMAND))

    @classmethod
    def probe(cls, bus: I2CBus, address: int) -> bool:
        """The MAX17048/49 version family."""
        try:
            version = cls(bus, address, retry=RetryPolicy(attempts=1)).version()
        except BridgeError:
            return False
        return version & 0xFFF0 == VERSION_FAMILY
