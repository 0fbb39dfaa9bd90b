"""The bridge's config file as one schema: every table, every key, every check.

No default is restated here: a key a file leaves out keeps the default of the dataclass it builds
(``HardwareConfig``, ``ServerConfig``, ``WorkerConfig``, ``GuardConfig``), so each default has one
home. A part of the wiring (``solar``, ``battery.monitor``, ``witty_pi``) left out is the
documented default part; ``enabled = false`` leaves it unwired. Scenario files wire their
emulated bus through the same ``HARDWARE``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import voluptuous as vol

from hardware_bridge.base.validators import (
    Check,
    boolean,
    eth_address,
    http_url,
    i2c_address,
    number,
    one_of,
    path,
    table,
    text,
    text_list,
    text_table,
    time_zone,
    whole,
)
from hardware_bridge.config.serve import ServerConfig
from hardware_bridge.guards import GuardConfig
from hardware_bridge.hardware.config import (
    BATTERY_MONITORS,
    CURRENT_MONITORS,
    MAX17048_ADDRESS,
    BatteryConfig,
    HardwareConfig,
    MonitorConfig,
    WittyPiConfig,
)
from hardware_bridge.power.chemistry import CHEMISTRIES
from hardware_bridge.worker.config import WorkerConfig

T = TypeVar("T")
Opt = vol.Optional
POSITIVE = number(above=0)


def built(cls: Callable[..., T]) -> Check[T]:
    """The typed value from a checked table; what the table left out keeps the class default."""

    def build(values: dict[str, Any]) -> T:
        return cls(**values)

    return build


def part(keys: vol.Schema, build: Callable[[dict[str, Any]], T]) -> Check[T | None]:
    """A part of the wiring: its keys are checked even when ``enabled = false`` leaves it out."""

    def check(value: Any) -> T | None:
        values = dict(keys(value))
        if not values.pop("enabled", True):
            return None
        return build(values)

    return check


def monitor(chips: tuple[str, ...]) -> Check[MonitorConfig | None]:
    """A current monitor or fuel gauge: the chip is always named, the address unless fixed."""

    def build(values: dict[str, Any]) -> MonitorConfig:
        if "chip" not in values:
            raise vol.Invalid(f"required: one of {', '.join(chips)}", path=["chip"])
        if values["chip"] == "max17048":
            values.setdefault("address", MAX17048_ADDRESS)  # fixed in the chip's silicon
        if "address" not in values:
            raise vol.Invalid("required: the chip's I2C address (e.g. 0x40)", path=["address"])
        return MonitorConfig(**values)

    keys = table(
        {
            Opt("enabled"): boolean,
            Opt("chip"): one_of(chips),
            Opt("address"): i2c_address,
            Opt("shunt_ohms"): POSITIVE,
            Opt("max_current"): POSITIVE,
            Opt("poll_interval"): POSITIVE,
        }
    )
    return part(keys, build)


WITTY_PI = part(
    table(
        {
            Opt("enabled"): boolean,
            Opt("address"): i2c_address,
            Opt("poll_interval"): POSITIVE,
            Opt("rtc_timezone"): time_zone(local=True),
        }
    ),
    built(WittyPiConfig),
)
BATTERY = vol.All(
    table(
        {
            Opt("chemistry"): one_of(CHEMISTRIES),
            Opt("nominal_voltage"): POSITIVE,
            Opt("capacity_ah"): POSITIVE,
            Opt("monitor"): monitor(BATTERY_MONITORS),
        }
    ),
    built(BatteryConfig),
)
HARDWARE = vol.All(
    table(
        {
            Opt("bus"): whole(at_least=0),
            Opt("witty_pi"): WITTY_PI,
            Opt("solar"): monitor(CURRENT_MONITORS),
            Opt("battery"): BATTERY,
        }
    ),
    built(HardwareConfig),
)

SERVER = vol.All(
    table(
        {
            Opt("host"): text,
            Opt("port"): whole(at_least=0, at_most=65535),
            Opt("zeroconf"): boolean,
            Opt("sample_interval"): POSITIVE,
            Opt("heartbeat"): POSITIVE,
            Opt("max_event_sockets"): whole(at_least=1, at_most=512),
            Opt("max_connections"): whole(at_least=2, at_most=16384),
        }
    ),
    built(ServerConfig),
)
# What the real worker cannot run without is required here (docs/worker-contract.md).
WORKER = vol.All(
    table(
        {
            vol.Required("core_url"): http_url,
            vol.Required("pool_address"): eth_address,
            vol.Required("chain_id"): whole(at_least=1),
            Opt("image"): text,
            Opt("allowed_images"): text_list,
            Opt("name"): text,
            Opt("wallet_file"): path,
            Opt("password_file"): path,
            Opt("base_dir"): path,
            Opt("cpus"): whole(at_least=1),
            Opt("docker_network"): text,
            Opt("gas_price_multiplier"): POSITIVE,
            Opt("gas_price_cap"): whole(at_least=1),
            Opt("node_url"): http_url,
            Opt("environment"): text_table,
            Opt("docker_url"): text,
            Opt("drain_timeout"): POSITIVE,
            Opt("poll_interval"): POSITIVE,
        }
    ),
    built(WorkerConfig),
)


def hysteresis(guards: GuardConfig) -> GuardConfig:
    """Each guard clears only past where it trips, or it would flap at the threshold."""
    if guards.battery_resume <= guards.battery_floor:
        raise vol.Invalid(
            f"must be above battery_floor ({guards.battery_floor:g}), "
            f"got {guards.battery_resume:g}",
            path=["battery_resume"],
        )
    if guards.resume_temperature >= guards.max_temperature:
        raise vol.Invalid(
            f"must be below max_temperature ({guards.max_temperature:g}), "
            f"got {guards.resume_temperature:g}",
            path=["resume_temperature"],
        )
    return guards


PERCENT = number(at_least=0, at_most=100)
CELSIUS = number(above=-100)
GUARDS = vol.All(
    table(
        {
            Opt("battery_floor"): PERCENT,
            Opt("battery_resume"): PERCENT,
            Opt("max_temperature"): CELSIUS,
            Opt("resume_temperature"): CELSIUS,
            Opt("low_voltage_margin"): POSITIVE,
            Opt("drain_timeout"): POSITIVE,
            Opt("shutdown_command"): text_list,
        }
    ),
    built(GuardConfig),
    hysteresis,
)

# The bridge's config file: every table optional.
BRIDGE_FILE = table(
    {
        Opt("hardware"): HARDWARE,
        Opt("server"): SERVER,
        Opt("worker"): WORKER,
        Opt("guards"): GUARDS,
    }
)
