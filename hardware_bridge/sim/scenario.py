"""Scenario files: a site, a panel, weather, a battery, a load, a clock and the wiring, in TOML.

A bare name is one of the shipped scenarios (``hardware_bridge/sim/scenarios/<name>.toml``);
anything ending in ``.toml`` or containing a slash is a path. Errors name the file and the key.
The ``[hardware]`` table goes through the bridge's own schema, so the emulated bus is wired as a
config file would wire a real one. Defaults live in the dataclasses each table builds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import voluptuous as vol

from hardware_bridge.base.errors import ConfigError
from hardware_bridge.base.validators import (
    check_file,
    date_time,
    number,
    one_of,
    table,
    text,
    time_zone,
    whole,
)
from hardware_bridge.config.loader import read_toml
from hardware_bridge.config.schema import HARDWARE, POSITIVE, built
from hardware_bridge.hardware.config import HardwareConfig
from hardware_bridge.sim.battery import ChargeController
from hardware_bridge.sim.host import PiThermal
from hardware_bridge.sim.load import PiLoad
from hardware_bridge.sim.solar import Panel
from hardware_bridge.sim.weather import Site, WeatherSource
from hardware_bridge.sim.weather_files import KNOWN, typical_year

SCENARIO_DIR = Path(__file__).parent / "scenarios"
Opt = vol.Optional


@dataclass(frozen=True)
class ClockSettings:
    """When the simulation starts and how fast it runs.

    By default it starts now and runs in real time, so the simulated Pi and Home Assistant agree
    on what "tomorrow" means; a pinned ``start`` (and a ``speed``) replays a chosen day, faster.
    """

    start: datetime | None = None  # None: the real time when the simulation starts
    speed: float = 1.0


@dataclass(frozen=True)
class Scenario:
    """Everything the simulation needs."""

    name: str
    site: Site
    clock: ClockSettings = field(default_factory=ClockSettings)
    description: str = ""
    panel: Panel = field(default_factory=Panel)
    weather: WeatherSource = field(default_factory=WeatherSource)
    initial_soc: float = 60.0
    charge_controller: ChargeController = field(default_factory=ChargeController)
    load: PiLoad = field(default_factory=PiLoad)
    thermal: PiThermal = field(default_factory=PiThermal)
    witty_pi_firmware_id: int = 0x26  # Witty Pi 4
    hardware: HardwareConfig = field(default_factory=HardwareConfig)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.site.timezone)


def weather_source(values: dict[str, Any]) -> WeatherSource:
    """Clear sky, or a typical year's file that exists and reads."""
    weather = WeatherSource(**values)
    if weather.source == "clearsky":
        if weather.tmy_file is not None:
            raise vol.Invalid("only read with source = 'tmy'", path=["tmy_file"])
        return weather
    if weather.tmy_file is None:
        raise vol.Invalid(f"required with source = 'tmy': a {KNOWN} file", path=["tmy_file"])
    path = weather.tmy_path()
    if not path.is_file():
        raise vol.Invalid(f"{path} does not exist", path=["tmy_file"])
    try:
        typical_year(path)
    except ConfigError as err:
        raise vol.Invalid(str(err), path=["tmy_file"]) from err
    return weather


SCENARIO_FILE = table(
    {
        Opt("description"): text,
        vol.Required("site"): vol.All(
            table(
                {
                    vol.Required("latitude"): number(at_least=-90, at_most=90),
                    vol.Required("longitude"): number(at_least=-180, at_most=180),
                    Opt("altitude"): number(),
                    Opt("timezone"): time_zone(local=False),
                }
            ),
            built(Site),
        ),
        Opt("panel"): vol.All(
            table(
                {
                    Opt("peak_watts"): POSITIVE,
                    Opt("tilt"): number(at_least=0, at_most=90),
                    Opt("azimuth"): number(at_least=0, below=360),
                    Opt("vmp_stc"): POSITIVE,
                    # Of power, per K: crystalline silicon loses about 0.4 %.
                    Opt("temperature_coefficient"): number(at_least=-0.02, at_most=0),
                    Opt("system_losses"): number(at_least=0, below=1),
                }
            ),
            built(Panel),
        ),
        Opt("weather"): vol.All(
            table({Opt("source"): one_of(("clearsky", "tmy")), Opt("tmy_file"): text}),
            weather_source,
        ),
        Opt("battery"): table({Opt("initial_soc"): number(at_least=0, at_most=100)}),
        Opt("charge_controller"): vol.All(
            table(
                {
                    Opt("kind"): one_of(("mppt", "pwm")),
                    Opt("max_charge_current"): POSITIVE,
                    Opt("efficiency"): number(above=0, at_most=1),
                }
            ),
            built(ChargeController),
        ),
        Opt("load"): vol.All(
            table({Opt("idle_watts"): number(at_least=0), Opt("busy_watts"): number(at_least=0)}),
            built(PiLoad),
        ),
        Opt("thermal"): vol.All(
            table(
                {
                    Opt("idle_rise"): number(at_least=0),
                    Opt("load_rise"): number(at_least=0),
                    Opt("time_constant"): POSITIVE,
                }
            ),
            built(PiThermal),
        ),
        Opt("clock"): table({Opt("start"): date_time, Opt("speed"): POSITIVE}),
        Opt("witty_pi_board"): table({Opt("firmware_id"): whole(at_least=0, at_most=255)}),
        Opt("hardware"): HARDWARE,
    }
)


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


def parse_scenario(data: Mapping[str, Any], name: str) -> Scenario:
    """A Scenario from a parsed TOML document; ``name`` starts every error."""
    tables = dict(check_file(SCENARIO_FILE, data, name))
    site: Site = tables.pop("site")
    scenario_clock = ClockSettings(**tables.pop("clock", {}))
    # Two tables hold one setting each; the others are the dataclass they build.
    soc, board = tables.pop("battery", {}), tables.pop("witty_pi_board", {})
    if "initial_soc" in soc:
        tables["initial_soc"] = soc["initial_soc"]
    if "firmware_id" in board:
        tables["witty_pi_firmware_id"] = board["firmware_id"]
    scenario = Scenario(name=name, site=site, **tables)
    return with_clock(scenario, scenario_clock.start, scenario_clock.speed)


def with_clock(
    scenario: Scenario, start: datetime | None = None, speed: float | None = None
) -> Scenario:
    """``scenario`` with its clock's start or speed replaced where given (``--sim-start``,
    ``--sim-speed``); a start without an offset is the local time at the site."""
    if start is not None and start.tzinfo is None:
        start = start.replace(tzinfo=scenario.zone)
    clock = ClockSettings(
        start=scenario.clock.start if start is None else start,
        speed=scenario.clock.speed if speed is None else speed,
    )
    return replace(scenario, clock=clock)


def load_scenario(name_or_path: str) -> Scenario:
    """A shipped scenario by name, or a scenario file by path."""
    path = scenario_path(name_or_path)
    return parse_scenario(read_toml(path), path.stem if path.parent == SCENARIO_DIR else str(path))
