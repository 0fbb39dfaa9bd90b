"""Emulated INA226: 1.25 mV bus steps, 2.5 µV shunt steps, flags in Mask/Enable, TI ids."""

from __future__ import annotations

from typing import ClassVar

from hardware_bridge.emulated.ina2xx import BUS, CALIBRATION, CONFIGURATION, Ina2xxEmulator

MASK_ENABLE, ALERT_LIMIT, MANUFACTURER_ID, DIE_ID = 0x06, 0x07, 0xFE, 0xFF
CVRF, OVF = 0x0008, 0x0004


class Ina226Emulator(Ina2xxEmulator):
    """An INA226; power-on Configuration 0x4127, Calibration 0."""

    power_on_registers: ClassVar[dict[int, int]] = {
        CONFIGURATION: 0x4127,
        1: 0,
        BUS: 0,
        3: 0,
        4: 0,
        CALIBRATION: 0,
        MASK_ENABLE: 0,
        ALERT_LIMIT: 0,
        MANUFACTURER_ID: 0x5449,
        DIE_ID: 0x2260,
    }
    writable: ClassVar[frozenset[int]] = frozenset(
        {CONFIGURATION, CALIBRATION, MASK_ENABLE, ALERT_LIMIT}
    )
    shunt_lsb: ClassVar[float] = 2.5e-6
    bus_lsb: ClassVar[float] = 0.00125
    calibration_mask: ClassVar[int] = 0x7FFF  # bit 15 is reserved
    current_divisor: ClassVar[int] = 2048
    power_divisor: ClassVar[int] = 20000

    def shunt_full_scale(self) -> float:
        return 0.08192

    def bus_raw(self) -> int:
        return min(round(self.bus_voltage / self.bus_lsb), 0x7FFF)

    def read_register(self, register: int) -> int:
        if register == MASK_ENABLE:
            flags = (CVRF if self.conversion_ready else 0) | (OVF if self.overflow() else 0)
            # Reading Mask/Enable clears the conversion-ready flag.
            self.conversion_ready = False
            return (self.registers[MASK_ENABLE] & 0xFC03) | flags
        if register == CONFIGURATION:
            return self.registers[CONFIGURATION] | 0x4000
        return super().read_register(register)

    def write_register(self, register: int, value: int) -> None:
        if register == MASK_ENABLE:
            value &= 0xFC03  # only the enable bits and polarity/latch are writable
        super().write_register(register, value)
