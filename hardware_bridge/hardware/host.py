"""The Pi itself, as Linux shows it: CPU load, SoC temperature, the firmware's throttling flags,
memory and disk.

Every figure is one small file under /proc or /sys (microseconds to read), so the host is read on
every sample. Not every system is a Pi and a container may hide /sys: a file that is missing or
unreadable leaves its field None, and each kind of failure is logged once, not once per sample.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Final, Protocol

from hardware_bridge.hardware.readings import HostReading, Throttling

_LOGGER = logging.getLogger(__name__)

# Relative to the root the reader is given ("/" on a Pi, a fake tree in tests).
STAT: Final = "proc/stat"
MEMINFO: Final = "proc/meminfo"
THERMAL_ZONE: Final = "sys/class/thermal/thermal_zone0/temp"  # millidegrees; the SoC on a Pi
# The firmware driver's view of ``vcgencmd get_throttled``: a hex bitmask.
GET_THROTTLED: Final = "sys/devices/platform/soc/soc:firmware/get_throttled"

# get_throttled's bits, as the Raspberry Pi documentation numbers them.
UNDER_VOLTAGE: Final = 0
ARM_FREQUENCY_CAPPED: Final = 1
THROTTLED: Final = 2
SOFT_TEMPERATURE_LIMIT: Final = 3
OCCURRED: Final = 16  # bits 16-19: the same four, sticky since boot


def throttling(bits: int) -> Throttling:
    """The flags of a get_throttled bitmask."""

    def bit(number: int) -> bool:
        return bool(bits >> number & 1)

    return Throttling(
        bits=bits,
        under_voltage=bit(UNDER_VOLTAGE),
        arm_frequency_capped=bit(ARM_FREQUENCY_CAPPED),
        throttled=bit(THROTTLED),
        soft_temperature_limit=bit(SOFT_TEMPERATURE_LIMIT),
        under_voltage_occurred=bit(OCCURRED + UNDER_VOLTAGE),
        arm_frequency_capped_occurred=bit(OCCURRED + ARM_FREQUENCY_CAPPED),
        throttled_occurred=bit(OCCURRED + THROTTLED),
        soft_temperature_limit_occurred=bit(OCCURRED + SOFT_TEMPERATURE_LIMIT),
    )


class HostReader(Protocol):
    """The Pi itself, read on every sample: the real one or the simulation's."""

    def read(self, worker_cpu_percent: float | None) -> HostReading:
        """The host now; ``worker_cpu_percent`` is the worker's use as docker stats counts it
        (% of one core; None while it does not run), to tell the rest of the load apart."""
        ...


class LinuxHost:
    """The host as /proc and /sys under ``root`` show it; disk space of the ``disk`` path."""

    def __init__(self, root: Path = Path("/"), disk: Path = Path("/")) -> None:
        self.root = root
        self.disk = disk
        self._jiffies: tuple[int, int] | None = None  # busy and total at the last read
        self._cpu_percent: float | None = None
        self._logged: set[str] = set()

    def read(self, worker_cpu_percent: float | None) -> HostReading:
        cpu, cores = self._cpu()
        memory = self._meminfo()
        total_disk, free_disk = self._disk()
        background = None
        if cpu is not None:
            background = max(cpu - (worker_cpu_percent or 0.0) / cores, 0.0)
        return HostReading(
            cpu_percent=cpu,
            background_cpu_percent=background,
            soc_temperature=self._temperature(),
            throttling=self._throttling(),
            total_memory_bytes=memory.get("MemTotal"),
            available_memory_bytes=memory.get("MemAvailable"),
            total_disk_bytes=total_disk,
            free_disk_bytes=free_disk,
        )

    def _cpu(self) -> tuple[float | None, int]:
        """% of all cores busy since the last read (since boot at the first), and the cores."""
        text = self._text(STAT)
        if text is None:
            return None, 1
        lines = text.splitlines()
        try:
            fields = [int(value) for value in lines[0].split()[1:9]]  # user .. steal
            idle = fields[3] + fields[4]  # idle and iowait
        except (IndexError, ValueError):
            self._unreadable(STAT, lines[0] if lines else text)
            return None, 1
        cores = sum(1 for line in lines if line[:3] == "cpu" and line[3:4].isdigit())
        total = sum(fields)
        last_busy, last_total = self._jiffies or (0, 0)
        if total > last_total:  # two reads within one tick keep the last figure
            self._cpu_percent = 100.0 * (total - idle - last_busy) / (total - last_total)
            self._jiffies = (total - idle, total)
        return self._cpu_percent, max(cores, 1)

    def _temperature(self) -> float | None:
        text = self._text(THERMAL_ZONE)
        try:
            return None if text is None else int(text) / 1000.0
        except ValueError:
            self._unreadable(THERMAL_ZONE, text)
            return None

    def _throttling(self) -> Throttling | None:
        # Some kernels log a one-time "deprecated" warning on the first read of this file; the
        # hwmon alternative reports under-voltage alone.
        text = self._text(GET_THROTTLED)
        try:
            return None if text is None else throttling(int(text, 16))
        except ValueError:
            self._unreadable(GET_THROTTLED, text)
            return None

    def _meminfo(self) -> dict[str, int]:
        """MemTotal and MemAvailable in bytes (the file says kB: KiB)."""
        found: dict[str, int] = {}
        for line in (self._text(MEMINFO) or "").splitlines():
            name, _, rest = line.partition(":")
            if name in ("MemTotal", "MemAvailable"):
                try:
                    found[name] = int(rest.split()[0]) * 1024
                except (IndexError, ValueError):
                    self._unreadable(MEMINFO, line)
        return found

    def _disk(self) -> tuple[int | None, int | None]:
        try:
            stat = os.statvfs(self.disk)
        except OSError as err:
            self._once(f"{self.disk}", f"no disk space for {self.disk}: {err.strerror or err}")
            return None, None
        return stat.f_blocks * stat.f_frsize, stat.f_bavail * stat.f_frsize

    def _text(self, name: str) -> str | None:
        path = self.root / name
        try:
            return path.read_text().strip()
        except OSError as err:
            # Expected off a Pi or in a container: said once, at info level.
            self._once(name, f"{path}: {err.strerror or err}", logging.INFO)
            return None
        except UnicodeDecodeError as err:
            self._unreadable(name, err.object[:20])
            return None

    def _unreadable(self, name: str, content: object) -> None:
        self._once(f"{name} content", f"{self.root / name}: cannot read {content!r:.60}")

    def _once(self, kind: str, message: str, level: int = logging.WARNING) -> None:
        """Log a kind of failure the first time only: the host is read every second."""
        if kind not in self._logged:
            self._logged.add(kind)
            _LOGGER.log(level, "host: %s; reported as null", message)
