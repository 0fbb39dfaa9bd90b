"""State of charge: seeded from a rested voltage, then coulomb counted, reset at full charge.

This is what a Victron battery monitor does (BMV-712 manual, "Synchronisation"): the voltage of a
battery under load says little, so the voltage only seeds the estimate and re-anchors it after a
long rest (never for LiFePO4, whose curve is flat); in between, the current is integrated, with
the chemistry's coulombic efficiency on charge; and "charged voltage plus a small tail current for
a few minutes" resynchronises to 100 %.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from hardware_bridge.power.chemistry import BatteryPack

SocSource = Literal["voltage", "coulomb", "full", "gauge"]


@dataclass(frozen=True)
class SocState:
    """The estimate and how it was last anchored."""

    soc: float
    source: SocSource


class SocEstimator:
    """Coulomb counter with voltage seeding and full-charge resynchronisation."""

    def __init__(
        self,
        pack: BatteryPack,
        *,
        initial: SocState | None = None,
        tail_current_c: float = 0.02,
        full_hold_seconds: float = 180.0,
        rest_current_c: float = 0.01,
    ) -> None:
        self.pack = pack
        self.state = initial
        self._tail_current = tail_current_c * pack.capacity_ah
        self._rest_current = rest_current_c * pack.capacity_ah
        self._full_hold = full_hold_seconds
        self._full_for = 0.0
        self._rested_for = 0.0

    def rested_soc(self, voltage: float, current: float) -> float:
        """SoC from the voltage, taking out the drop over the internal resistance."""
        return self.pack.soc_from_ocv(voltage - current * self.pack.resistance_ohm)

    def update(self, voltage: float, current: float, seconds: float) -> SocState:
        """Account ``seconds`` of ``current`` (A, charge positive) ending at ``voltage``."""
        if self.state is None:
            self.state = SocState(self.rested_soc(voltage, current), "voltage")
            return self.state

        chemistry = self.pack.chemistry
        charge_ah = current * seconds / 3600.0
        if charge_ah > 0:
            charge_ah *= chemistry.charge_efficiency
        soc = min(100.0, max(0.0, self.state.soc + 100.0 * charge_ah / self.pack.capacity_ah))
        source: SocSource = "coulomb"

        if voltage >= self.pack.charged_voltage and 0.0 <= current <= self._tail_current:
            self._full_for += seconds
        else:
            self._full_for = 0.0
        if self._full_for >= self._full_hold:
            soc, source = 100.0, "full"

        if abs(current) <= self._rest_current:
            self._rested_for += seconds
        else:
            self._rested_for = 0.0
        if chemistry.voltage_tells_soc and self._rested_for >= chemistry.rest_seconds:
            soc, source = self.rested_soc(voltage, current), "voltage"
            self._rested_for = 0.0

        self.state = SocState(soc, source)
        return self.state

    def set_from_gauge(self, soc: float) -> SocState:
        """A fuel gauge (MAX17048) does its own modelling: take its word."""
        self.state = SocState(min(100.0, max(0.0, soc)), "gauge")
        return self.state
