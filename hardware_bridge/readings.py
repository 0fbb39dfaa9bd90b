"""What the bridge knows at one moment: typed readings, and their JSON form."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any


@dataclass(frozen=True)
class SolarReading:
    """The panel, through its current monitor."""

    voltage: float
    current: float
    power: float
    overflow: bool
    chip: str


@dataclass(frozen=True)
class BatteryReading:
    """The battery: measured by a current monitor or a fuel gauge, SoC from power accounting."""

    voltage: float
    current: float | None
    power: float | None
    soc: float | None
    soc_source: str | None
    chemistry: str
    capacity_ah: float
    overflow: bool
    chip: str


@dataclass(frozen=True)
class WittyPiReading:
    """The Witty Pi 4: its measurements, settings, RTC and schedule."""

    model: str | None
    firmware_id: int
    firmware_revision: int
    input_voltage: float
    output_voltage: float
    output_current: float
    output_power: float
    power_mode: int
    power_source: str
    temperature: float | None
    low_voltage_threshold: float | None
    recovery_voltage: float | None
    action_reason: int
    action_reason_name: str | None
    low_voltage_shutdown: bool
    rtc_time: datetime | None
    next_startup: datetime | None
    next_shutdown: datetime | None
    read_at: datetime


@dataclass(frozen=True)
class Throttling:
    """The firmware's throttling flags (``get_throttled``): now, and at any time since boot."""

    bits: int
    under_voltage: bool
    arm_frequency_capped: bool
    throttled: bool
    soft_temperature_limit: bool
    under_voltage_occurred: bool
    arm_frequency_capped_occurred: bool
    throttled_occurred: bool
    soft_temperature_limit_occurred: bool


@dataclass(frozen=True)
class HostReading:
    """The Pi itself; a field its system does not expose (not a Pi, a container) is None."""

    cpu_percent: float | None  # of all cores, busy since the previous reading
    background_cpu_percent: float | None  # the same without the worker's share
    soc_temperature: float | None  # °C, the system-on-chip: what throttles compute
    throttling: Throttling | None
    total_memory_bytes: int | None
    available_memory_bytes: int | None
    total_disk_bytes: int | None  # of the file system holding the data directory
    free_disk_bytes: int | None  # what an unprivileged process may still write


@dataclass(frozen=True)
class Snapshot:
    """Every reading at one moment, the energy totals (Wh) and the faults in force."""

    time: datetime
    battery: BatteryReading | None
    solar: SolarReading | None
    witty_pi: WittyPiReading | None
    energy: dict[str, float]
    errors: dict[str, str] = field(default_factory=dict)
    simulated: bool = False
    host: HostReading | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: datetimes as ISO 8601 strings."""
        document: dict[str, Any] = jsonable(dataclasses.asdict(self))
        return document


def jsonable(value: Any) -> Any:
    """Datetimes as ISO 8601 strings, enums as their values, all the way down."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return value
