"""The Pi's electrical load: idle plus a share of the busy extra, with the worker's CPU use."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PiLoad:
    """Watts drawn at the Witty Pi's output (5 V side)."""

    idle_watts: float = 2.7
    busy_watts: float = 6.4

    def watts(self, cpu_share: float, powered: bool = True) -> float:
        """``cpu_share`` 0..1 of all cores busy; nothing when the Witty Pi cut the power."""
        if not powered:
            return 0.0
        share = min(max(cpu_share, 0.0), 1.0)
        return self.idle_watts + (self.busy_watts - self.idle_watts) * share
