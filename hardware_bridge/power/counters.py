"""Energy counters in Wh that only ever go up, integrated from power samples."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

# What the bridge counts, in Wh.
COUNTERS: Final = (
    "solar_harvested",  # out of the panel
    "consumed",  # taken by the system: the Pi, the Witty Pi and the charge controller's losses
    "battery_charged",  # into the battery
    "battery_discharged",  # out of the battery
)

# Samples further apart than this are not joined: the bridge was down or the chip unreadable,
# and a straight line across the gap would invent energy.
MAX_GAP_SECONDS: Final = 300.0


@dataclass
class _LastSample:
    timestamp: float
    watts: float


@dataclass
class EnergyCounters:
    """Monotonic Wh totals, integrated with the trapezoid rule between consecutive samples."""

    totals: dict[str, float] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0.0))
    max_gap: float = MAX_GAP_SECONDS
    _last: dict[str, _LastSample] = field(default_factory=dict, repr=False)

    @classmethod
    def restore(cls, saved: Mapping[str, float]) -> EnergyCounters:
        """Counters from saved totals (power.json's schema has checked them)."""
        counters = cls()
        counters.totals.update({name: float(saved[name]) for name in COUNTERS if name in saved})
        return counters

    def add_sample(self, name: str, timestamp: float, watts: float) -> None:
        """Account power ``watts`` (negative counts as zero) measured at ``timestamp`` (s)."""
        watts = max(0.0, watts)
        last = self._last.get(name)
        self._last[name] = _LastSample(timestamp, watts)
        if last is None:
            return
        seconds = timestamp - last.timestamp
        if 0 < seconds <= self.max_gap:
            self.totals[name] += (last.watts + watts) / 2.0 * seconds / 3600.0

    def forget(self, name: str) -> None:
        """A quantity could not be read: do not bridge the gap to its next sample."""
        self._last.pop(name, None)

    def snapshot(self) -> dict[str, float]:
        return dict(self.totals)
