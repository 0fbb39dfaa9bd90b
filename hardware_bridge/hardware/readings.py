"""What the bridge knows at one moment: typed readings (the state's ``battery``, ``solar``,
``witty_pi``, ``host`` and ``energy``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, ClassVar

from hardware_bridge.base.wire import Doc
from hardware_bridge.hardware.drivers.witty_pi import PowerSource
from hardware_bridge.power.counters import Energy
from hardware_bridge.power.soc import SocSource

Bytes = Annotated[int | None, Doc(minimum=0)]


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
    soc: Annotated[float | None, Doc(minimum=0, maximum=100)]
    soc_source: Annotated[
        SocSource | None,
        Doc(
            "how the SoC was found: rested voltage, coulomb counting, reset at full charge, "
            "or a fuel gauge"
        ),
    ]
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
    power_source: PowerSource
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

    wire_doc: ClassVar[Doc] = Doc(
        "The firmware's throttling flags (vcgencmd get_throttled; "
        "/sys/devices/platform/soc/soc:firmware/get_throttled): what holds now, and what has "
        "happened since boot."
    )

    bits: Annotated[
        int, Doc("the raw bitmask: bits 0-3 now, bits 16-19 the same since boot", minimum=0)
    ]
    under_voltage: Annotated[bool, Doc("bit 0: the 5 V supply is below 4.63 V now")]
    arm_frequency_capped: Annotated[bool, Doc("bit 1: the ARM frequency is capped now")]
    throttled: Annotated[bool, Doc("bit 2: the CPU is throttled now")]
    soft_temperature_limit: Annotated[
        bool, Doc("bit 3: the soft temperature limit is active now (80 °C on a Pi 4)")
    ]
    under_voltage_occurred: Annotated[bool, Doc("bit 16: under-voltage has occurred since boot")]
    arm_frequency_capped_occurred: Annotated[
        bool, Doc("bit 17: the ARM frequency has been capped since boot")
    ]
    throttled_occurred: Annotated[bool, Doc("bit 18: throttling has occurred since boot")]
    soft_temperature_limit_occurred: Annotated[
        bool, Doc("bit 19: the soft temperature limit has been reached since boot")
    ]


@dataclass(frozen=True)
class HostReading:
    """The Pi itself; a field its system does not expose (not a Pi, a container) is None."""

    wire_doc: ClassVar[Doc] = Doc(
        "The Pi itself, from /proc and /sys (simulated in simulation). A figure the system does "
        "not expose (not a Pi, a container) is null."
    )

    cpu_percent: Annotated[
        float | None,
        Doc("% of all cores busy since the previous sample (/proc/stat)", minimum=0, maximum=100),
    ]
    background_cpu_percent: Annotated[
        float | None,
        Doc(
            "% of all cores busy with everything but the worker: cpu_percent less "
            "worker.cpu_percent shared over the cores",
            minimum=0,
            maximum=100,
        ),
    ]
    soc_temperature: Annotated[
        float | None,
        Doc(
            "°C of the system-on-chip (thermal_zone0): what throttles compute, and what the "
            "temperature guard watches"
        ),
    ]
    throttling: Annotated[Throttling | None, Doc("null where the firmware does not say (not a Pi)")]
    total_memory_bytes: Annotated[Bytes, Doc("bytes: MemTotal of /proc/meminfo")]
    available_memory_bytes: Annotated[
        Bytes, Doc("bytes a new program could use without swapping: MemAvailable")
    ]
    total_disk_bytes: Annotated[
        Bytes, Doc("bytes: the size of the file system holding the bridge's data directory")
    ]
    free_disk_bytes: Annotated[Bytes, Doc("bytes an unprivileged process may still write there")]


@dataclass(frozen=True, kw_only=True)
class Readings:
    """Every reading at one moment and the energy totals: the state's hardware half."""

    time: datetime
    battery: BatteryReading | None
    solar: SolarReading | None
    witty_pi: WittyPiReading | None
    host: HostReading | None = None
    energy: Energy
    simulated: bool = False


@dataclass(frozen=True, kw_only=True)
class Snapshot(Readings):
    """The readings and the chips' faults in force (the state's ``degraded`` holds these and
    the rest of the bridge's)."""

    degraded: dict[str, str] = field(default_factory=dict)
