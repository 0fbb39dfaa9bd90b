"""Surplus power for compute, from a home's meters or from the bridge's own readings. Pure Python.

Grid-tied: the surplus is the export **plus the worker's own draw** (a running worker eats the
export it was started on; leaving its draw out makes any controller oscillate), from a grid power
sensor (either sign convention) or from production and consumption sensors. Other consumers come
first: below its priority SoC a home battery keeps whatever it could still take up to its charge
limit (as evcc's ``prioritySoc``); above it, the battery's charging is surplus too. An EV charger
or any entity the user names makes compute yield (``busy``).

Off-grid (the Pi's own panel and battery): the surplus is the charging the battery does not need
to be full within ``fill_hours`` (near full, all of it; the rest would be curtailed), plus the
worker's draw, minus what the battery gives to it. A controller that curtails at full charge shows
no surplus on any meter: with the battery full and holding, the estimator asks for a ``probe``
(start the worker and watch); if the battery then turns to discharge, the probe failed and is not
asked again for ``probe_every_s``. The energy above the reserve is a store: ``carry_hours`` says
how long it carries compute at the present drain (at least the worker's own draw, should the sun
go).

``Smoother`` is an exponential filter with a time constant; its state is two floats.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .policy import PolicyConfig


@dataclass(frozen=True)
class GridMeter:
    """A home's meters at one moment (W): ``grid_w``, or ``production_w`` and ``consumption_w``.

    ``grid_w`` is positive for import unless ``export_positive`` (many inverters count so).
    ``consumption_w`` includes the worker if it runs on the home's circuit (it usually does).
    """

    grid_w: float | None = None
    export_positive: bool = False
    production_w: float | None = None
    consumption_w: float | None = None

    def export_w(self) -> float:
        """Power sent to the grid now (negative: imported)."""
        if self.grid_w is not None:
            return self.grid_w if self.export_positive else -self.grid_w
        if self.production_w is None or self.consumption_w is None:
            raise ValueError("a grid power, or both production and consumption, are needed")
        return self.production_w - self.consumption_w


@dataclass(frozen=True)
class HomeBattery:
    """A home battery that comes before compute until ``priority_soc``."""

    soc: float
    charge_w: float  # positive while charging
    max_charge_w: float
    priority_soc: float = 80.0


def grid_surplus(meter: GridMeter, worker_w: float, battery: HomeBattery | None = None) -> float:
    """The power compute may use (W), its own present draw ``worker_w`` included."""
    surplus = meter.export_w() + worker_w
    if battery is None:
        return surplus
    charge = max(battery.charge_w, 0.0)
    if battery.soc < battery.priority_soc:
        # The battery could take more: that comes first, whatever compute now eats of it.
        return surplus - max(0.0, battery.max_charge_w - charge)
    return surplus + charge  # past its priority the battery yields its charging to compute


def busy_consumers(states: dict[str, bool]) -> tuple[str, ...]:
    """The names of the priority consumers and devices in use (an EV charging, a TV on)."""
    return tuple(sorted(name for name, active in states.items() if active))


@dataclass(frozen=True)
class OffGridConfig:
    """The Pi's battery as the estimator sees it."""

    capacity_wh: float
    reserve_soc: float = PolicyConfig.battery_reserve_soc
    fill_hours: float = 2.0  # charging beyond what fills the battery in this long is surplus
    full_soc: float = 99.0  # at or above: full, the controller holds and may curtail
    holding_w: float = 1.0  # |battery power| under this at full charge: the controller holds
    probe_every_s: float = 1800.0  # after a failed probe, wait this long before the next


@dataclass(frozen=True)
class OffGridReading:
    """The bridge's readings (W, %): battery power positive while charging."""

    time: float
    soc: float
    battery_w: float
    panel_w: float
    load_w: float  # the whole system's draw, the worker included
    worker_w: float  # the worker's share of it (0 when it does not run)


@dataclass(frozen=True)
class OffGridSurplus:
    """The estimate: surplus power, how long the store carries compute, whether to probe."""

    surplus_w: float
    carry_hours: float
    probe: bool


class OffGridEstimator:
    """Surplus of a Pi's own panel and battery; remembers failed probes."""

    def __init__(self, config: OffGridConfig, failed_probe_at: float | None = None) -> None:
        self.config = config
        self.failed_probe_at = failed_probe_at

    def estimate(
        self, reading: OffGridReading, worker_watts: float, reserve_soc: float | None = None
    ) -> OffGridSurplus:
        """``worker_watts``: what compute would add to the load if it ran; ``reserve_soc``: the
        reserve now (the night's need, ``reserve.py``), the configured one if None."""
        cfg, r = self.config, reading
        reserve = cfg.reserve_soc if reserve_soc is None else reserve_soc
        room_wh = max(0.0, 100.0 - r.soc) / 100.0 * cfg.capacity_wh
        full = r.soc >= cfg.full_soc
        surplus = r.worker_w + r.battery_w - room_wh / cfg.fill_hours
        if full and r.worker_w > 0 and r.battery_w < -cfg.holding_w:
            self.failed_probe_at = r.time  # full, yet the battery feeds the worker: no headroom
        holding = full and abs(r.battery_w) < cfg.holding_w and r.panel_w > cfg.holding_w
        probe = (
            holding
            and r.worker_w <= 0
            and (self.failed_probe_at is None or r.time - self.failed_probe_at >= cfg.probe_every_s)
        )
        spare_wh = max(0.0, r.soc - reserve) / 100.0 * cfg.capacity_wh
        # The drain with the worker running (its draw on top when it does not run yet); never
        # less than the worker's own draw, which the store must carry should the sun go.
        drain = r.load_w - r.panel_w + (0.0 if r.worker_w > 0 else worker_watts)
        carry = spare_wh / max(drain, worker_watts, 1e-3)
        return OffGridSurplus(surplus, carry, probe)


class Smoother:
    """An exponential moving average with time constant ``tau_s`` over irregular samples."""

    def __init__(self, tau_s: float, value: float | None = None, time: float | None = None) -> None:
        self.tau_s = tau_s
        self.value = value
        self.time = time

    def update(self, time: float, sample: float) -> float:
        if self.value is None or self.time is None or self.tau_s <= 0:
            self.value = sample
        else:
            weight = 1.0 - math.exp(-max(0.0, time - self.time) / self.tau_s)
            self.value += weight * (sample - self.value)
        self.time = time
        return self.value
