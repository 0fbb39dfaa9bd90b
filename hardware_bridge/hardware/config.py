"""What hardware the bridge talks to: chips, addresses, shunts, battery, poll intervals.

The same ``[hardware]`` table is read from the bridge's config file on a Pi and from a scenario
file in simulation, so the emulated bus is wired exactly like a real one. The defaults here are
the only ones: ``HardwareConfig()`` is the wiring the README documents, and a key or a part a file
leaves out keeps its default (``hardware_bridge.config.schema`` never restates one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

from hardware_bridge.hardware.bus import DEFAULT_BUS
from hardware_bridge.power.chemistry import CHEMISTRIES, BatteryPack

MonitorChip = Literal["ina219", "ina226", "max17048"]
CURRENT_MONITORS: Final = ("ina219", "ina226")
BATTERY_MONITORS: Final = (*CURRENT_MONITORS, "max17048")
WITTY_PI_ADDRESS: Final = 0x08
MAX17048_ADDRESS: Final = 0x36


@dataclass(frozen=True)
class MonitorConfig:
    """A current monitor (INA219/INA226) or a fuel gauge (MAX17048) at an address."""

    chip: MonitorChip
    address: int
    # A 100 Wp panel gives up to 6 A: a 10 mOhm shunt in place of a breakout's 0.1 ohm.
    shunt_ohms: float = 0.01
    max_current: float = 8.0
    poll_interval: float = 1.0  # a change reaches Home Assistant within a second


@dataclass(frozen=True)
class WittyPiConfig:
    """The Witty Pi 4 MCU. Polled slowly: every changed measurement is an EEPROM write."""

    address: int = WITTY_PI_ADDRESS
    poll_interval: float = 60.0
    # The RTC keeps wall time in this zone: "local" matches UUGear's own daemon.
    rtc_timezone: str = "local"


@dataclass(frozen=True)
class BatteryConfig:
    """The battery and what measures it."""

    chemistry: str = "lifepo4"
    nominal_voltage: float = 12.8
    capacity_ah: float = 20.0
    monitor: MonitorConfig | None = MonitorConfig("ina226", 0x41)

    @property
    def pack(self) -> BatteryPack:
        return BatteryPack.from_nominal(
            CHEMISTRIES[self.chemistry], self.nominal_voltage, self.capacity_ah
        )


@dataclass(frozen=True)
class HardwareConfig:
    """Everything on the I2C bus; a part that is None is not wired (``enabled = false``)."""

    bus: int = DEFAULT_BUS
    witty_pi: WittyPiConfig | None = field(default_factory=WittyPiConfig)
    solar: MonitorConfig | None = MonitorConfig("ina219", 0x40)
    battery: BatteryConfig = field(default_factory=BatteryConfig)

    def monitors(self) -> dict[str, MonitorConfig]:
        """The configured monitors by role."""
        found = {"solar": self.solar, "battery": self.battery.monitor}
        return {role: m for role, m in found.items() if m is not None}
