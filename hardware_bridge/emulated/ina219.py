"""Emulated INA219: bus voltage shifted left 3 with CNVR (bit 1) and OVF (bit 0), a PGA."""

from __future__ import annotations

from typing import ClassVar

from hardware_bridge.emulated.ina2xx import BUS, CALIBRATION, CONFIGURATION, Ina2xxEmulator


class Ina219Emulator(Ina2xxEmulator):
    """An INA219; power-on Configuration 0x399F (32 V, /8 gain), Calibration 0."""

    power_on_registers: ClassVar[dict[int, int]] = {
        CONFIGURATION: 0x399F,
        1: 0,
        BUS: 0,
        3: 0,
        4: 0,
        CALIBRATION: 0,
    }
    writable: ClassVar[frozenset[int]] = frozenset({CONFIGURATION, CALIBRATION})
    shunt_lsb: ClassVar[float] = 10e-6
    bus_lsb: ClassVar[float] = 0.004
    calibration_mask: ClassVar[int] = 0xFFFE  # bit 0 is void: it always reads 0
    current_divisor: ClassVar[int] = 4096
    power_divisor: ClassVar[int] = 5000

    def shunt_full_scale(self) -> float:
        gain = (self.registers[CONFIGURATION] >> 11) & 0b11
        return 0.04 * (1 << gain)

    def bus_raw(self) -> int:
        # The 32 V range still measures only up to 26 V at the pin; 16 V range clips at 16.
        top = 32.0 if self.registers[CONFIGURATION] & (1 << 13) else 16.0
        return round(min(self.bus_voltage, top) / self.bus_lsb)

    def read_register(self, register: int) -> int:
        if register == BUS:
            flags = (0x2 if self.conversion_ready else 0) | (0x1 if self.overflow() else 0)
            return (self.bus_raw() << 3 | flags) & 0xFFFF
        return super().read_register(register)
