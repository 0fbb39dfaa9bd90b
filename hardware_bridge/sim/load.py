"""The Pi's electrical side: its load, idle plus a share of the busy extra with the worker's CPU
use, and the 5 V rail the Witty Pi holds for it while the battery allows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

PI_SUPPLY_VOLTS: Final = 5.1
# A Witty Pi 4 (or Mini) steps its 6-30 V input down: below output plus dropout the rail sags.
BUCK_DROPOUT_VOLTS: Final = 0.6
# A Witty Pi 4 L3V7 steps a Li-ion cell up; under about 3 V it can no longer hold 5 V.
BOOST_MIN_VOLTS: Final = 3.0


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


def supply_volts(input_volts: float, *, boost: bool) -> float:
    """The Pi's 5 V rail from the Witty Pi's input: held, or sagging with an input too low."""
    if boost:
        held = PI_SUPPLY_VOLTS * min(input_volts / BOOST_MIN_VOLTS, 1.0)
    else:
        held = min(PI_SUPPLY_VOLTS, input_volts - BUCK_DROPOUT_VOLTS)
    return max(held, 0.0)
