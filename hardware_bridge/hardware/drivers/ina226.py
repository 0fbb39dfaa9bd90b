"""TI INA226: 16-bit current/power monitor, bus up to 36 V, fixed 81.92 mV shunt range."""

from __future__ import annotations

from typing import ClassVar

from hardware_bridge.base.errors import BridgeError
from hardware_bridge.hardware.bus import I2CBus
from hardware_bridge.hardware.drivers.ina2xx import BUS_VOLTAGE, Ina2xx
from hardware_bridge.hardware.drivers.register_device import RetryPolicy

MASK_ENABLE = 0x06
ALERT_LIMIT = 0x07
MANUFACTURER_ID = 0xFE
DIE_ID = 0xFF
TI_MANUFACTURER_ID = 0x5449
INA226_DIE_ID = 0x2260

CONFIG_FIXED_BIT = 0x4000  # bit 14 always reads 1
AVERAGE_16 = 0b010
CONVERSION_1100_US = 0b100
MODE_CONTINUOUS = 0b111
# Mask/Enable flags. Reading the register clears the conversion-ready flag.
CVRF = 0x0008
OVF = 0x0004
BUS_LSB = 0.00125


class Ina226(Ina2xx):
    """An INA226 measuring across ``shunt_ohms``."""

    chip: ClassVar[str] = "INA226"
    register_names: ClassVar[dict[int, str]] = {
        **Ina2xx.register_names,
        MASK_ENABLE: "MASK_ENABLE",
        ALERT_LIMIT: "ALERT_LIMIT",
        MANUFACTURER_ID: "MANUFACTURER_ID",
        DIE_ID: "DIE_ID",
    }
    calibration_scale: ClassVar[float] = 0.00512
    calibration_mask: ClassVar[int] = 0x7FFF  # bit 15 is reserved
    power_lsb_factor: ClassVar[float] = 25.0
    shunt_lsb: ClassVar[float] = 2.5e-6
    max_shunt_voltage: ClassVar[float] = 0.08192

    def configuration_word(self) -> int:
        # 16 averages of 1.1 ms conversions: a fresh, smoothed value every 35 ms.
        return (
            CONFIG_FIXED_BIT
            | AVERAGE_16 << 9
            | CONVERSION_1100_US << 6
            | CONVERSION_1100_US << 3
            | MODE_CONTINUOUS
        )

    def read_bus(self) -> tuple[float, bool, bool]:
        flags = self.read_u16_be(MASK_ENABLE)
        voltage = self.read_u16_be(BUS_VOLTAGE) * BUS_LSB
        return voltage, bool(flags & OVF), bool(flags & CVRF)

    @classmethod
    def probe(cls, bus: I2CBus, address: int) -> bool:
        """TI's manufacturer id and the INA226 die id: the INA219 has neither register."""
        device = cls(bus, address, 0.01, 8.0, retry=RetryPolicy(attempts=1))
        try:
            return (
                device.read_u16_be(MANUFACTURER_ID) == TI_MANUFACTURER_ID
                and device.read_u16_be(DIE_ID) == INA226_DIE_ID
            )
        except BridgeError:
            return False
