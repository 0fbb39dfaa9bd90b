"""What hardware the bridge talks to: chips, addresses, shunts, battery, poll intervals.

The same ``[hardware]`` table is read from the bridge's config file on a Pi and from a scenario
file in simulation, so the emulated bus is wired exactly like a real one.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal, cast

from hardware_bridge.bus import DEFAULT_BUS
from hardware_bridge.chemistry import CHEMISTRIES, BatteryPack
from hardware_bridge.errors import ConfigError

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
    shunt_ohms: float = 0.1
    max_current: float = 3.2
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
    monitor: MonitorConfig | None = None

    @property
    def pack(self) -> BatteryPack:
        return BatteryPack.from_nominal(
            CHEMISTRIES[self.chemistry], self.nominal_voltage, self.capacity_ah
        )


@dataclass(frozen=True)
class HardwareConfig:
    """Everything on the I2C bus."""

    bus: int = DEFAULT_BUS
    witty_pi: WittyPiConfig | None = field(default_factory=WittyPiConfig)
    solar: MonitorConfig | None = None
    battery: BatteryConfig = field(default_factory=BatteryConfig)

    def monitors(self) -> dict[str, MonitorConfig]:
        """The configured monitors by role."""
        found = {"solar": self.solar, "battery": self.battery.monitor}
        return {role: m for role, m in found.items() if m is not None}


def section(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any] | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}.{key}: expected a table")
    return value


def number(data: Mapping[str, Any], key: str, where: str, default: float, low: float) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{where}.{key}: expected a number, got {value!r}")
    if value <= low:
        raise ConfigError(f"{where}.{key}: must be greater than {low}, got {value}")
    return float(value)


def i2c_address(data: Mapping[str, Any], key: str, where: str, default: int | None) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 0x03 <= value <= 0x77:
        raise ConfigError(f"{where}.{key}: expected a 7-bit I2C address 0x03..0x77, got {value!r}")
    return value


def unknown_keys(data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    extra = sorted(set(data) - allowed)
    if extra:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(extra)}")


def parse_monitor(
    data: Mapping[str, Any], where: str, allowed_chips: tuple[str, ...]
) -> MonitorConfig:
    """A monitor table: chip, address, shunt and range, poll interval."""
    unknown_keys(data, {"chip", "address", "shunt_ohms", "max_current", "poll_interval"}, where)
    chip = data.get("chip")
    if chip not in allowed_chips:
        raise ConfigError(f"{where}.chip: expected one of {', '.join(allowed_chips)}, got {chip!r}")
    default_address = MAX17048_ADDRESS if chip == "max17048" else None
    return MonitorConfig(
        chip=cast(MonitorChip, chip),
        address=i2c_address(data, "address", where, default_address),
        shunt_ohms=number(data, "shunt_ohms", where, 0.1, 0.0),
        max_current=number(data, "max_current", where, 3.2, 0.0),
        poll_interval=number(data, "poll_interval", where, 1.0, 0.0),
    )


def parse_hardware(data: Mapping[str, Any], where: str = "hardware") -> HardwareConfig:
    """Build a HardwareConfig from a parsed ``[hardware]`` table; ConfigError names the key."""
    unknown_keys(data, {"bus", "witty_pi", "solar", "battery"}, where)
    bus = data.get("bus", DEFAULT_BUS)
    if isinstance(bus, bool) or not isinstance(bus, int) or bus < 0:
        raise ConfigError(f"{where}.bus: expected a bus number, got {bus!r}")

    witty = section(data, "witty_pi", where)
    witty_pi = None
    if witty is not None and witty.get("enabled", True):
        w = f"{where}.witty_pi"
        unknown_keys(witty, {"enabled", "address", "poll_interval", "rtc_timezone"}, w)
        tz = witty.get("rtc_timezone", "local")
        if not isinstance(tz, str):
            raise ConfigError(f"{w}.rtc_timezone: expected a zone name, got {tz!r}")
        witty_pi = WittyPiConfig(
            address=i2c_address(witty, "address", w, WITTY_PI_ADDRESS),
            poll_interval=number(witty, "poll_interval", w, 60.0, 0.0),
            rtc_timezone=tz,
        )

    solar_data = section(data, "solar", where)
    solar = parse_monitor(solar_data, f"{where}.solar", CURRENT_MONITORS) if solar_data else None

    battery_data = section(data, "battery", where) or {}
    b = f"{where}.battery"
    unknown_keys(battery_data, {"chemistry", "nominal_voltage", "capacity_ah", "monitor"}, b)
    chemistry = battery_data.get("chemistry", "lifepo4")
    if chemistry not in CHEMISTRIES:
        raise ConfigError(
            f"{b}.chemistry: expected one of {', '.join(CHEMISTRIES)}, got {chemistry!r}"
        )
    monitor_data = section(battery_data, "monitor", b)
    battery = BatteryConfig(
        chemistry=chemistry,
        nominal_voltage=number(battery_data, "nominal_voltage", b, 12.8, 0.0),
        capacity_ah=number(battery_data, "capacity_ah", b, 20.0, 0.0),
        monitor=parse_monitor(monitor_data, f"{b}.monitor", BATTERY_MONITORS)
        if monitor_data
        else None,
    )
    return HardwareConfig(bus=bus, witty_pi=witty_pi, solar=solar, battery=battery)


# The wiring the README documents: an INA219 on the panel, an INA226 on the battery, a Witty Pi 4.
DEFAULT_HARDWARE_TABLE: Final[Mapping[str, Any]] = {
    # A 100 Wp panel gives up to 6 A: a 10 mOhm shunt in place of the breakout's 0.1 ohm.
    "solar": {"chip": "ina219", "address": 0x40, "shunt_ohms": 0.01, "max_current": 8.0},
    "battery": {
        "chemistry": "lifepo4",
        "nominal_voltage": 12.8,
        "capacity_ah": 20.0,
        "monitor": {"chip": "ina226", "address": 0x41, "shunt_ohms": 0.01, "max_current": 8.0},
    },
    "witty_pi": {"address": WITTY_PI_ADDRESS},
}


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file, with errors that name the file."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as err:
        raise ConfigError(f"{path}: {err.strerror or err}") from err
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: {err}") from err


def load_hardware_config(path: Path | None) -> HardwareConfig:
    """The ``[hardware]`` table of a config file, or the documented default wiring."""
    if path is None:
        return parse_hardware(DEFAULT_HARDWARE_TABLE)
    table = read_toml(path).get("hardware", DEFAULT_HARDWARE_TABLE)
    if not isinstance(table, Mapping):
        raise ConfigError(f"{path}: [hardware] must be a table")
    return parse_hardware(table, f"{path.name}: hardware")
