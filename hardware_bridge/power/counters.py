"""Energy counters in Wh that only ever go up, integrated from power samples."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Annotated, Final

from hardware_bridge.base.wire import Doc

WattHours = Annotated[float, Doc("Wh since the counters began; never decreases", minimum=0)]


@dataclass(frozen=True, kw_only=True)
class Energy:
    """What the bridge counts, in Wh: the state's ``energy``."""

    solar_harvested: WattHours  # out of the panel
    consumed: WattHours  # taken by the system: the Pi, the Witty Pi, the charger's losses
    battery_charged: WattHours  # into the battery
    battery_discharged: WattHours  # out of the battery


COUNTERS: Final = tuple(counter.name for counter in fields(Energy))

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
        """The totals as power.json keeps them."""
        return dict(self.totals)

    def energy(self) -> Energy:
        """The totals as the state shows them."""
        return Energy(**self.totals)
