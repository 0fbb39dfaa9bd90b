"""Emulated MAX17048 fuel gauge: VCELL in 78.125 µV steps, SOC in 1/256 %, CRATE in 0.208 %/h."""

from __future__ import annotations

from typing import ClassVar

from hardware_bridge.emulated.chip import WordRegisterChip

VCELL, SOC, MODE, VERSION, HIBRT, CONFIG = 0x02, 0x04, 0x06, 0x08, 0x0A, 0x0C
VALRT, CRATE, VRESET_ID, STATUS, CMD = 0x14, 0x16, 0x18, 0x1A, 0xFE
STATUS_RI = 0x0100
QUICK_START = 0x4000
RESET_COMMAND = 0x5400


class Max17048Emulator(WordRegisterChip):
    """A MAX17048 at 0x36 unless told otherwise."""

    power_on_registers: ClassVar[dict[int, int]] = {
        VCELL: 0,
        SOC: 0,
        MODE: 0,
        VERSION: 0x0012,
        HIBRT: 0x8030,
        CONFIG: 0x971C,
        VALRT: 0x00FF,
        CRATE: 0,
        VRESET_ID: 0x9600,
        STATUS: STATUS_RI,  # the reset indicator is set at power-up
        CMD: 0xFFFF,
    }
    writable: ClassVar[frozenset[int]] = frozenset(
        {MODE, HIBRT, CONFIG, VALRT, VRESET_ID, STATUS, CMD}
    )

    def __init__(self, address: int = 0x36) -> None:
        self.cell_voltage = 0.0
        self.soc = 0.0
        self.charge_rate = 0.0
        self.quick_starts = 0
        super().__init__(address)

    def set_inputs(self, cell_voltage: float, soc: float, charge_rate: float) -> None:
        """What the gauge's model concludes: volts, percent, percent per hour (+ charging)."""
        self.cell_voltage = cell_voltage
        self.soc = max(0.0, soc)
        self.charge_rate = charge_rate

    def read_register(self, register: int) -> int:
        if register == VCELL:
            return min(round(self.cell_voltage / 78.125e-6), 0xFFFF)
        if register == SOC:
            return min(round(self.soc * 256), 0xFFFF)
        if register == CRATE:
            return round(self.charge_rate / 0.208) & 0xFFFF
        return self.registers[register]

    def write_register(self, register: int, value: int) -> None:
        if register == CMD:
            if value == RESET_COMMAND:
                self.reset()
                # The gauge resets before it can acknowledge the command byte.
                raise OSError(121, "Remote I/O error")
            return
        if register == MODE:
            if value & QUICK_START:
                self.quick_starts += 1
            value &= ~QUICK_START & 0xFFFF  # the bit clears itself
        self.registers[register] = value
