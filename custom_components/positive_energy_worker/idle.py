"""Idle rules: whether a home device is in use, by what its state says. Pure Python.

Each domain has its idle states: a media player off, idle or standby; a switch, a light or a
binary sensor off; a vacuum or a mower docked, idle or paused; a climate entity off or, by its
``hvac_action``, doing nothing. A power sensor is idle below a threshold. An entity that is
unavailable or unknown says nothing: it does not hold compute back, and the report names it
apart (``unknown``) so that a user sees what went unheard.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class Activity(StrEnum):
    """What a device's state says of its use."""

    IDLE = "idle"
    BUSY = "busy"
    UNKNOWN = "unknown"


UNKNOWN_STATES: Final = frozenset({"unavailable", "unknown"})
# The idle states of any domain not named below (switch, light, fan, binary_sensor, remote...).
IDLE_STATES: Final = frozenset({"off", "idle", "standby"})
DOMAIN_IDLE_STATES: Final[Mapping[str, frozenset[str]]] = {
    "vacuum": IDLE_STATES | {"docked", "paused"},
    "lawn_mower": IDLE_STATES | {"docked", "paused"},
}
IDLE_HVAC_ACTIONS: Final = frozenset({"idle", "off"})
POWER_UNITS: Final[Mapping[str, float]] = {"mW": 0.001, "W": 1.0, "kW": 1000.0, "MW": 1e6}
# A device chosen as a whole is heard through its entities of these domains and its power
# sensors (not its diagnostic sensors, nor binary sensors such as "update available").
DEVICE_DOMAINS: Final = frozenset(
    {"media_player", "switch", "light", "fan", "climate", "vacuum", "lawn_mower", "remote",
     "humidifier", "water_heater"}
)  # fmt: skip
# The name the report gives the Pi's own load without the worker.
PI_CPU: Final = "pi_cpu"


@dataclass(frozen=True)
class DeviceState:
    """One entity's state as the rules read it."""

    entity_id: str
    state: str
    device_class: str | None = None
    unit: str | None = None
    hvac_action: str | None = None

    @property
    def domain(self) -> str:
        return self.entity_id.partition(".")[0]

    @property
    def is_power_sensor(self) -> bool:
        return self.domain == "sensor" and (
            self.device_class == "power" or self.unit in POWER_UNITS
        )


def activity(device: DeviceState, idle_power_w: float) -> Activity:
    """Whether ``device`` is in use; a power sensor is busy from ``idle_power_w`` up."""
    if device.state in UNKNOWN_STATES:
        return Activity.UNKNOWN
    if device.is_power_sensor:
        try:
            watts = float(device.state) * POWER_UNITS.get(device.unit or "W", 1.0)
        except ValueError:
            return Activity.UNKNOWN
        return Activity.BUSY if watts >= idle_power_w else Activity.IDLE
    if device.domain == "climate" and device.hvac_action in IDLE_HVAC_ACTIONS:
        return Activity.IDLE
    idle_states = DOMAIN_IDLE_STATES.get(device.domain, IDLE_STATES)
    return Activity.IDLE if device.state in idle_states else Activity.BUSY


@dataclass(frozen=True)
class IdleReport:
    """Which devices keep the home busy, and which said nothing (counted as idle)."""

    busy: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()

    @property
    def idle(self) -> bool:
        return not self.busy


def report(
    devices: Iterable[DeviceState],
    idle_power_w: float,
    pi_cpu_percent: float | None = None,
    pi_cpu_limit: float = 100.0,
) -> IdleReport:
    """The devices' report; the Pi counts as busy when its own load (the worker's left out)
    reaches ``pi_cpu_limit`` %."""
    busy: list[str] = []
    unknown: list[str] = []
    for device in devices:
        seen = activity(device, idle_power_w)
        if seen is Activity.BUSY:
            busy.append(device.entity_id)
        elif seen is Activity.UNKNOWN:
            unknown.append(device.entity_id)
    if pi_cpu_percent is not None and pi_cpu_percent >= pi_cpu_limit:
        busy.append(PI_CPU)
    return IdleReport(tuple(sorted(busy)), tuple(sorted(unknown)))


def in_use(devices: Iterable[DeviceState], idle_power_w: float) -> dict[str, bool]:
    """Each device's use (an unknown state is no use), as ``surplus.busy_consumers`` takes it."""
    return {d.entity_id: activity(d, idle_power_w) is Activity.BUSY for d in devices}
