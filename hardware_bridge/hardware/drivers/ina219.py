"""TI INA219: 12-bit current/power monitor, bus up to 26 V, shunt range set by a PGA."""

from __future__ import annotations

from typing import ClassVar

from hardware_bridge.base.errors import BridgeError
from hardware_bridge.hardware.bus import I2CBus
from hardware_bridge.hardware.drivers.ina2xx import (
    BUS_VOLTAGE,
    CALIBRATION,
    CONFIG_RESET,
    CONFIGURATION,
    Ina2xx,
)
from hardware_bridge.hardware.drivers.register_device import RetryPolicy

POWER_ON_CONFIGURATION = 0x399F
BUS_RANGE_32V = 1 << 13
# PGA settings: shunt full scale in volts, and the PG field (bits 12-11).
PGA_RANGES = ((0.04, 0b00), (0.08, 0b01), (0.16, 0b10), (0.32, 0b11))
ADC_128_SAMPLES = 0b1111  # 68 ms per conversion: a smooth value for a 2 s poll
MODE_CONTINUOUS = 0b111
BUS_CNVR = 0x0002
BUS_OVF = 0x0001
BUS_LSB = 0.004


class Ina219(Ina2xx):
    """An INA219 measuring across ``shunt_ohms``."""

    chip: ClassVar[str] = "INA219"
    calibration_scale: ClassVar[float] = 0.04096
    calibration_mask: ClassVar[int] = 0xFFFE  # bit 0 is void
    power_lsb_factor: ClassVar[float] = 20.0
    shunt_lsb: ClassVar[float] = 10e-6
    max_shunt_voltage: ClassVar[float] = 0.32

    def configuration_word(self) -> int:
        shunt_full_scale = round(self.shunt_ohms * self.max_current, 9)
        gain = next(pg for volts, pg in PGA_RANGES if shunt_full_scale <= volts)
        return (
            BUS_RANGE_32V
            | gain << 11
            | ADC_128_SAMPLES << 7
            | ADC_128_SAMPLES << 3
            | MODE_CONTINUOUS
        )

    def read_bus(self) -> tuple[float, bool, bool]:
        raw = self.read_u16_be(BUS_VOLTAGE)
        return (raw >> 3) * BUS_LSB, bool(raw & BUS_OVF), bool(raw & BUS_CNVR)

    @classmethod
    def probe(cls, bus: I2CBus, address: int) -> bool:
        """An INA219 at power-on: Configuration 0x399F and Calibration 0; or one we configured.

        Probing must not write, so a chip already configured by someone else is recognised
        only by a plausible Configuration (reset bit clear, bit 14 clear: the INA226 sets it).
        """
        device = cls(bus, address, 0.1, 3.2, retry=RetryPolicy(attempts=1))
        try:
            config = device.read_u16_be(CONFIGURATION)
            calibration = device.read_u16_be(CALIBRATION)
        except BridgeError:
            return False
        if config == POWER_ON_CONFIGURATION:
            return calibration == 0
        return not config & (CONFIG_RESET | 0x4000) and not calibration & 1
