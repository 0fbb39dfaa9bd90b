"""The simulated Pi as the bridge's host reader sees it: the same ``HostReading`` a real Pi gives.

The SoC runs above the enclosure air by an idle rise plus a rise with the CPU load, and follows
with a time constant; the firmware's flags are set as a Pi 4's are (under-voltage below 4.63 V on
the 5 V rail, the soft temperature limit at 80 °C, throttling at 85 °C) and kept "since boot"
until the Witty Pi cuts the power. The load is the world's worker share above a small background.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Final

from hardware_bridge.hardware.host import (
    ARM_FREQUENCY_CAPPED,
    OCCURRED,
    SOFT_TEMPERATURE_LIMIT,
    THROTTLED,
    UNDER_VOLTAGE,
    throttling,
)
from hardware_bridge.hardware.readings import HostReading

if TYPE_CHECKING:
    from hardware_bridge.sim.world import Truth

UNDER_VOLTAGE_VOLTS: Final = 4.63  # the Pi's supply monitor
SOFT_LIMIT_CELSIUS: Final = 80.0  # a Pi 4's firmware caps the ARM frequency from here
THROTTLE_CELSIUS: Final = 85.0  # and throttles hard from here
BACKGROUND_CPU_PERCENT: Final = 3.0  # the system and the bridge itself
# A Pi 4 with 4 GB (MemTotal) on a 32 GB card; the worker's JVM holds memory while it computes.
TOTAL_MEMORY_BYTES: Final = 3_884_328 * 1024
SYSTEM_MEMORY_BYTES: Final = 450 * 2**20
WORKER_MEMORY_BYTES: Final = 700 * 2**20
TOTAL_DISK_BYTES: Final = 29_000_000_000
FREE_DISK_BYTES: Final = 18_500_000_000


@dataclass(frozen=True)
class PiThermal:
    """How far the SoC runs above the enclosure air (a Pi 4 with a small heatsink)."""

    idle_rise: float = 10.0  # °C at idle
    load_rise: float = 22.0  # °C more with every core busy
    time_constant: float = 120.0  # s to go 63 % of the way to a new temperature


class SimulatedHost:
    """The host of a simulated world, read from its truth at each sample."""

    def __init__(self, truth: Callable[[], Truth], thermal: PiThermal) -> None:
        self._truth = truth
        self._thermal = thermal
        self._celsius: float | None = None
        self._at: datetime | None = None
        self._occurred = 0

    def read(self, worker_cpu_percent: float | None) -> HostReading:  # noqa: ARG002
        """The world's load is the share it was told (``report_worker_cpu``), not docker's."""
        truth = self._truth()
        share = truth.cpu_share if truth.pi_powered else 0.0
        celsius = self._soc_temperature(truth, share)
        return HostReading(
            cpu_percent=BACKGROUND_CPU_PERCENT + (100.0 - BACKGROUND_CPU_PERCENT) * share,
            background_cpu_percent=BACKGROUND_CPU_PERCENT,
            soc_temperature=celsius,
            throttling=throttling(self._flags(truth, celsius)),
            total_memory_bytes=TOTAL_MEMORY_BYTES,
            available_memory_bytes=TOTAL_MEMORY_BYTES
            - SYSTEM_MEMORY_BYTES
            - round(WORKER_MEMORY_BYTES * share),
            total_disk_bytes=TOTAL_DISK_BYTES,
            free_disk_bytes=FREE_DISK_BYTES,
        )

    def _soc_temperature(self, truth: Truth, share: float) -> float:
        """First order: the SoC closes on where the load would hold it, by its time constant."""
        t = self._thermal
        target = truth.enclosure_temperature
        if truth.pi_powered:
            target += t.idle_rise + t.load_rise * share
        if self._celsius is None or self._at is None:
            self._celsius = target  # the world starts settled
        else:
            seconds = max((truth.time - self._at).total_seconds(), 0.0)
            self._celsius = target + (self._celsius - target) * math.exp(-seconds / t.time_constant)
        self._at = truth.time
        return self._celsius

    def _flags(self, truth: Truth, celsius: float) -> int:
        if not truth.pi_powered:
            self._occurred = 0  # the next power-on is a new boot
            return 0
        now = 0
        if truth.pi_supply_voltage < UNDER_VOLTAGE_VOLTS:
            now |= 1 << UNDER_VOLTAGE | 1 << THROTTLED  # the firmware slows down to hold on
        if celsius >= SOFT_LIMIT_CELSIUS:
            now |= 1 << SOFT_TEMPERATURE_LIMIT | 1 << ARM_FREQUENCY_CAPPED
        if celsius >= THROTTLE_CELSIUS:
            now |= 1 << THROTTLED
        self._occurred |= now << OCCURRED
        return now | self._occurred
