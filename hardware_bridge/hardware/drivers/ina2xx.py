"""What the INA219 and INA226 current monitors share: calibration, the read, brown-out recovery.

Both chips compute current and power from the shunt voltage and a calibration register that a
brown-out resets to 0 (then Current and Power read 0). Like the Linux hwmon driver, we check the
calibration on every read and rewrite it when it is gone; that sample's current then comes from the
shunt voltage, which needs no calibration.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import ClassVar

from hardware_bridge.base.errors import ConfigError, ReadingError
from hardware_bridge.hardware.bus import I2CBus
from hardware_bridge.hardware.drivers.register_device import (
    DEFAULT_RETRY,
    RegisterDevice,
    RetryPolicy,
)

_LOGGER = logging.getLogger(__name__)

CONFIGURATION = 0x00
SHUNT_VOLTAGE = 0x01
BUS_VOLTAGE = 0x02
POWER = 0x03
CURRENT = 0x04
CALIBRATION = 0x05
CONFIG_RESET = 0x8000
# The Current register is signed 16-bit: the LSB that puts the maximum current near full scale.
CURRENT_STEPS = 32768


@dataclass(frozen=True)
class CurrentSample:
    """One reading of a current monitor; current positive into the load or battery."""

    bus_voltage: float
    shunt_voltage: float
    current: float
    power: float
    # The chip's math overflowed: current and power are meaningless, the bus voltage is still valid.
    overflow: bool
    conversion_ready: bool


class Ina2xx(RegisterDevice):
    """A TI INA2xx current/power monitor with a shunt of ``shunt_ohms`` up to ``max_current``."""

    register_names: ClassVar[dict[int, str]] = {
        CONFIGURATION: "CONFIGURATION",
        SHUNT_VOLTAGE: "SHUNT_VOLTAGE",
        BUS_VOLTAGE: "BUS_VOLTAGE",
        POWER: "POWER",
        CURRENT: "CURRENT",
        CALIBRATION: "CALIBRATION",
    }
    # Datasheet constants, set by each chip.
    calibration_scale: ClassVar[float]  # Cal = scale / (Current_LSB * R_shunt)
    calibration_mask: ClassVar[int]  # bits the Calibration register keeps
    power_lsb_factor: ClassVar[float]  # Power_LSB = factor * Current_LSB
    shunt_lsb: ClassVar[float]  # volts per Shunt Voltage step
    max_shunt_voltage: ClassVar[float]  # the widest shunt range the chip has

    def __init__(
        self,
        bus: I2CBus,
        address: int,
        shunt_ohms: float,
        max_current: float,
        *,
        retry: RetryPolicy = DEFAULT_RETRY,
    ) -> None:
        super().__init__(bus, address, retry=retry)
        # Rounded: 3.2 A through 0.1 ohm is exactly the INA219's widest range, not above it.
        if round(shunt_ohms * max_current, 9) > self.max_shunt_voltage:
            raise ConfigError(
                f"{self.name}: {max_current} A through {shunt_ohms} ohm is "
                f"{shunt_ohms * max_current * 1000:.0f} mV across the shunt, more than the "
                f"{self.max_shunt_voltage * 1000:.2f} mV the chip measures"
            )
        self.shunt_ohms = shunt_ohms
        self.max_current = max_current
        wanted_lsb = max_current / CURRENT_STEPS
        cal = int(self.calibration_scale / (wanted_lsb * shunt_ohms)) & self.calibration_mask
        self.calibration = max(2, min(cal, self.calibration_mask))
        # The LSB the integer calibration really gives, so scaling matches the chip exactly.
        self.current_lsb = self.calibration_scale / (self.calibration * shunt_ohms)
        self.power_lsb = self.power_lsb_factor * self.current_lsb
        self.configured = False
        self.calibration_resets = 0

    def configuration_word(self) -> int:
        """The Configuration register value this driver runs the chip with."""
        raise NotImplementedError

    def configure(self) -> None:
        """Write and verify the configuration and the calibration."""
        self.write_u16_be_verified(CONFIGURATION, self.configuration_word())
        self.write_u16_be_verified(CALIBRATION, self.calibration)
        self.configured = True

    def read_bus(self) -> tuple[float, bool, bool]:
        """Bus voltage, overflow and conversion-ready: where they live differs per chip."""
        raise NotImplementedError

    def read(self) -> CurrentSample:
        """Bus and shunt voltage, current and power; recalibrates after a brown-out."""
        if not self.configured:
            self.configure()
        bus_voltage, overflow, ready = self.read_bus()
        shunt_voltage = self.read_s16_be(SHUNT_VOLTAGE) * self.shunt_lsb
        if self.read_u16_be(CALIBRATION) == 0:
            self._recalibrate()
            current = shunt_voltage / self.shunt_ohms
            power = abs(current) * bus_voltage
        else:
            current = self.read_s16_be(CURRENT) * self.current_lsb
            power = self.read_u16_be(POWER) * self.power_lsb
        return CurrentSample(bus_voltage, shunt_voltage, current, power, overflow, ready)

    def _recalibrate(self) -> None:
        self.calibration_resets += 1
        _LOGGER.info("%s: calibration lost (brown-out?), writing it again", self.name)
        try:
            self.configure()
        except ReadingError:
            self.configured = False
            raise
