"""Scenario files: a site, a panel, weather, a battery, a load, a clock and the wiring, in TOML.

A bare name is one of the shipped scenarios (``hardware_bridge/sim/scenarios/<name>.toml``);
anything ending in ``.toml`` or containing a slash is a path. Errors name the file and the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hardware_bridge.config import HardwareConfig, number, parse_hardware, read_toml, section
from hardware_bridge.config import unknown_keys as check_keys
from hardware_bridge.errors import ConfigError
from hardware_bridge.sim.battery import ChargeController
from hardware_bridge.sim.load import PiLoad
from hardware_bridge.sim.solar import Panel
from hardware_bridge.sim.weather import Site, WeatherSource

SCENARIO_DIR = Path(__file__).parent / "scenarios"
WEATHER_SOURCES = ("clearsky", "tmy")
CONTROLLER_KINDS = ("mppt", "pwm")


@dataclass(frozen=True)
class ClockSettings:
    """When the simulation starts and how fast it runs."""

    start: datetime
    speed: float


@dataclass(frozen=True)
class Scenario:
    """Everything the simulation needs."""

    name: str
    description: str
    site: Site
    panel: Panel
    weather: WeatherSource
    initial_soc: float
    charge_controller: ChargeController
    load: PiLoad
    clock: ClockSettings
    witty_pi_firmware_id: int
    hardware: HardwareConfig

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.site.timezone)


def available() -> list[str]:
    """The names of the shipped scenarios."""
    return sorted(path.stem for path in SCENARIO_DIR.glob("*.toml"))


def scenario_path(name_or_path: str) -> Path:
    if name_or_path.endswith(".toml") or "/" in name_or_path:
        return Path(name_or_path)
    path = SCENARIO_DIR / f"{name_or_path}.toml"
    if not path.is_file():
        raise ConfigError(
            f"no scenario named {name_or_path!r}: choose one of {', '.join(available())}, "
            "or give the path of a TOML file"
        )
    return path


def _table(data: Mapping[str, Any], key: str, where: str, allowed: set[str]) -> Mapping[str, Any]:
    table = section(data, key, where) or {}
    check_keys(table, allowed, f"{where}.{key}")
    return table


def _site(data: Mapping[str, Any], where: str) -> Site:
    table = _table(data, "site", where, {"latitude", "longitude", "altitude", "timezone"})
    w = f"{where}.site"
    latitude, longitude = table.get("latitude"), table.get("longitude")
    for key, value, bound in (("latitude", latitude, 90), ("longitude", longitude, 180)):
        if isinstance(value, bool) or not isinstance(value, int | float) or abs(value) > bound:
            raise ConfigError(f"{w}.{key}: expected degrees within ±{bound}, got {value!r}")
    zone = table.get("timezone", "UTC")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as err:
        raise ConfigError(f"{w}.timezone: unknown time zone {zone!r}") from err
    altitude = table.get("altitude", 0.0)
    if isinstance(altitude, bool) or not isinstance(altitude, int | float):
        raise ConfigError(f"{w}.altitude: expected metres, got {altitude!r}")
    return Site(float(latitude), float(longitude), float(altitude), zone)  # type: ignore[arg-type]


def _panel(data: Mapping[str, Any], where: str) -> Panel:
    keys = {"peak_watts", "tilt", "azimuth", "vmp_stc", "temperature_coefficient", "system_losses"}
    table = _table(data, "panel", where, keys)
    w = f"{where}.panel"
    tilt, azimuth = table.get("tilt", 30), table.get("azimuth", 180)
    if isinstance(tilt, bool) or not isinstance(tilt, int | float) or not 0 <= tilt <= 90:
        raise ConfigError(f"{w}.tilt: expected 0..90 degrees, got {tilt!r}")
    if isinstance(azimuth, bool) or not isinstance(azimuth, int | float) or not 0 <= azimuth < 360:
        raise ConfigError(f"{w}.azimuth: expected 0..360 degrees, got {azimuth!r}")
    losses = number(table, "system_losses", w, 0.14, -1e-9)
    if losses >= 1:
        raise ConfigError(f"{w}.system_losses: expected a fraction below 1, got {losses}")
    return Panel(
        peak_watts=number(table, "peak_watts", w, 100.0, 0.0),
        tilt=float(tilt),
        azimuth=float(azimuth),
        vmp_stc=number(table, "vmp_stc", w, 18.0, 0.0),
        temperature_coefficient=_temperature_coefficient(table, w),
        system_losses=losses,
    )


def _temperature_coefficient(table: Mapping[str, Any], where: str) -> float:
    value = table.get("temperature_coefficient", -0.004)
    if isinstance(value, bool) or not isinstance(value, int | float) or not -0.02 <= value <= 0:
        raise ConfigError(
            f"{where}.temperature_coefficient: expected a power change per K within -0.02..0 "
            f"(crystalline silicon: about -0.004), got {value!r}"
        )
    return float(value)


def _weather(data: Mapping[str, Any], where: str) -> WeatherSource:
    table = _table(data, "weather", where, {"source", "tmy_file"})
    source = table.get("source", "clearsky")
    if source not in WEATHER_SOURCES:
        raise ConfigError(
            f"{where}.weather.source: expected one of {', '.join(WEATHER_SOURCES)}, got {source!r}"
        )
    tmy_file = table.get("tmy_file")
    if source == "tmy" and not isinstance(tmy_file, str):
        raise ConfigError(f"{where}.weather.tmy_file: a TMY3 file is needed for source = 'tmy'")
    weather = WeatherSource(source, tmy_file)
    if source == "tmy" and not weather.tmy_path().is_file():
        raise ConfigError(f"{where}.weather.tmy_file: {weather.tmy_path()} does not exist")
    return weather


def _clock(data: Mapping[str, Any], where: str, zone: str) -> ClockSettings:
    table = _table(data, "clock", where, {"start", "speed"})
    start = table.get("start")
    if isinstance(start, date) and not isinstance(start, datetime):
        start = datetime.combine(start, time())
    if not isinstance(start, datetime):
        raise ConfigError(f"{where}.clock.start: expected a TOML date-time, got {start!r}")
    if start.tzinfo is None:
        start = start.replace(tzinfo=ZoneInfo(zone))  # a local time at the site
    return ClockSettings(start, number(table, "speed", f"{where}.clock", 60.0, 0.0))


def parse_scenario(data: Mapping[str, Any], name: str) -> Scenario:
    """A Scenario from a parsed TOML document; ``name`` prefixes every error."""
    top = {"description", "site", "panel", "weather", "battery", "charge_controller", "load",
           "clock", "witty_pi_board", "hardware"}  # fmt: skip
    check_keys(data, top, name)
    site = _site(data, name)
    battery = _table(data, "battery", name, {"initial_soc"})
    initial_soc = number(battery, "initial_soc", f"{name}.battery", 60.0, -1e-9)
    if initial_soc > 100:
        raise ConfigError(f"{name}.battery.initial_soc: expected 0..100 %, got {initial_soc}")
    ctl = _table(data, "charge_controller", name, {"kind", "max_charge_current", "efficiency"})
    kind = ctl.get("kind", "mppt")
    if kind not in CONTROLLER_KINDS:
        raise ConfigError(f"{name}.charge_controller.kind: expected mppt or pwm, got {kind!r}")
    load = _table(data, "load", name, {"idle_watts", "busy_watts"})
    witty = _table(data, "witty_pi_board", name, {"firmware_id"})
    firmware_id = witty.get("firmware_id", 0x26)
    if (
        isinstance(firmware_id, bool)
        or not isinstance(firmware_id, int)
        or not 0 <= firmware_id < 256
    ):
        raise ConfigError(
            f"{name}.witty_pi_board.firmware_id: expected a byte, got {firmware_id!r}"
        )
    hardware = section(data, "hardware", name)
    if hardware is None:
        raise ConfigError(f"{name}: a [hardware] table is needed (the emulated wiring)")
    return Scenario(
        name=name,
        description=str(data.get("description", "")),
        site=site,
        panel=_panel(data, name),
        weather=_weather(data, name),
        initial_soc=initial_soc,
        charge_controller=ChargeController(
            kind=kind,
            max_charge_current=number(
                ctl, "max_charge_current", f"{name}.charge_controller", 8.0, 0.0
            ),
            efficiency=number(ctl, "efficiency", f"{name}.charge_controller", 0.95, 0.0),
        ),
        load=PiLoad(
            idle_watts=number(load, "idle_watts", f"{name}.load", 2.7, -1e-9),
            busy_watts=number(load, "busy_watts", f"{name}.load", 6.4, -1e-9),
        ),
        clock=_clock(data, name, site.timezone),
        witty_pi_firmware_id=firmware_id,
        hardware=parse_hardware(hardware, f"{name}: hardware"),
    )


def load_scenario(name_or_path: str) -> Scenario:
    """A shipped scenario by name, or a scenario file by path."""
    path = scenario_path(name_or_path)
    return parse_scenario(read_toml(path), path.stem if path.parent == SCENARIO_DIR else str(path))
