"""Emulated INA219/INA226: registers computed the way the datasheets say the silicon does.

The physical inputs are a bus voltage and a current through the shunt; the chip's registers
follow from them and from its calibration, so a driver that scales wrongly reads wrong values.
"""

from __future__ import annotations

from typing import ClassVar

from hardware_bridge.emulated.chip import WordRegisterChip

CONFIGURATION, SHUNT, BUS, POWER, CURRENT, CALIBRATION = range(6)
RESET_BIT = 0x8000
INT16_MIN, INT16_MAX = -0x8000, 0x7FFF


def _clamp16(value: int) -> tuple[int, bool]:
    """A signed 16-bit result, and whether it overflowed."""
    if value > INT16_MAX:
        return INT16_MAX, True
    if value < INT16_MIN:
        return INT16_MIN, True
    return value, False


class Ina2xxEmulator(WordRegisterChip):
    """A current monitor with a shunt of ``shunt_ohms`` at ``address``."""

    shunt_lsb: ClassVar[float]
    bus_lsb: ClassVar[float]
    calibration_mask: ClassVar[int]
    # Current = Shunt * Cal / current_divisor; Power = Current * Bus / power_divisor.
    current_divisor: ClassVar[int]
    power_divisor: ClassVar[int]

    def __init__(self, address: int, shunt_ohms: float) -> None:
        self.shunt_ohms = shunt_ohms
        self.bus_voltage = 0.0
        self.current = 0.0
        self.conversion_ready = False
        super().__init__(address)

    def set_inputs(self, bus_voltage: float, current: float) -> None:
        """The voltage on VBUS and the current through the shunt (A); a conversion completes."""
        self.bus_voltage = max(0.0, bus_voltage)
        self.current = current
        self.conversion_ready = True

    def brownout(self) -> None:
        """The supply dipped: every register back to power-on values, calibration 0."""
        self.reset()

    def shunt_full_scale(self) -> float:
        """The shunt range the configuration selects, in volts."""
        raise NotImplementedError

    def shunt_raw(self) -> tuple[int, bool]:
        full_scale = self.shunt_full_scale()
        volts = self.current * self.shunt_ohms
        saturated = abs(volts) > full_scale
        volts = max(-full_scale, min(full_scale, volts))
        return round(volts / self.shunt_lsb), saturated

    def bus_raw(self) -> int:
        return round(self.bus_voltage / self.bus_lsb)

    def current_raw(self) -> tuple[int, bool]:
        shunt, saturated = self.shunt_raw()
        value, overflow = _clamp16(int(shunt * self.registers[CALIBRATION] / self.current_divisor))
        return value, overflow or saturated

    def power_raw(self) -> tuple[int, bool]:
        current, overflow = self.current_raw()
        power = int(abs(current) * self.bus_raw() / self.power_divisor)
        return min(power, 0xFFFF), overflow or power > 0xFFFF

    def overflow(self) -> bool:
        return self.power_raw()[1]

    def read_register(self, register: int) -> int:
        if register == SHUNT:
            return self.shunt_raw()[0] & 0xFFFF
        if register == BUS:
            return self.bus_raw()
        if register == CURRENT:
            return self.current_raw()[0] & 0xFFFF
        if register == POWER:
            # Reading Power acknowledges the conversion (INA219's CNVR).
            self.conversion_ready = False
            return self.power_raw()[0]
        return self.registers[register]

    def write_register(self, register: int, value: int) -> None:
        if register == CONFIGURATION and value & RESET_BIT:
            self.reset()
            return
        if register == CALIBRATION:
            value &= self.calibration_mask
        self.registers[register] = value
