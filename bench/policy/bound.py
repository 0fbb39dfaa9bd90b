"""An upper bound on green compute hours that no policy can beat: ``bound``.

Every policy completes a subset of the tasks the scheduler offers (``Traces.offers``): each taken
at its arrival, one at a time, and grid-tied none taken while a device is busy. The most green
hours any such subset gives is a weighted interval scheduling problem, solved exactly by dynamic
programming over the whole run (tasks may cross midnight): a task's value is its green hours,
the surplus it could use minute by minute (capped at the worker's power) over its length. It
relaxes the start-up delay and every meter's lag, so it is an upper bound, reached only by
perfect foresight.

Off-grid a task's value is its length (off-grid compute hours are green if they add no dark
hour), and the pack bounds it too, under the constraint the policies must meet: no more dark
time than ``none`` had. That is a linear programme, hour by hour over the whole run, with perfect
foresight (``off_grid_bound``). The bound is the smaller of the two. It binds only a policy that
adds no dark hour: one that buys compute with the Pi's dark hours is outside it, and fails the
issue's bar on that count already.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import linprog

from hardware_bridge.power.chemistry import BatteryPack
from hardware_bridge.sim.battery import ChargeController

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


def best_schedule(offers: Ints, value_per_minute: Floats, allowed: npt.NDArray[np.bool_]) -> float:
    """The most total value of non-overlapping offers (exact). ``offers[i]``: the length in
    minutes of the task offered at minute ``i`` (0: none); a task is worth the sum of
    ``value_per_minute`` over its minutes and must end inside the run."""
    minutes = len(offers)
    starts = np.flatnonzero((offers > 0) & allowed)
    ends = starts + offers[starts]
    keep = ends < minutes  # completed inside the run (the driver books a task the minute after)
    starts, ends = starts[keep], ends[keep]
    cum = np.concatenate([[0.0], np.cumsum(value_per_minute)])
    values = cum[ends] - cum[starts]
    # best[k]: the most from offers k.. (sorted by arrival); the next compatible offer after k is
    # the first arriving at or after k's end.
    following = np.searchsorted(starts, ends, side="left")
    best = np.zeros(len(starts) + 1)
    for k in range(len(starts) - 1, -1, -1):
        best[k] = max(best[k + 1], values[k] + best[following[k]])
    return float(best[0])


def grid_tied_bound(offers: Ints, surplus_w: Floats, busy: Ints, worker_w: float) -> float:
    """Green hours: each minute of a task is worth min(surplus, worker) / worker / 60 h."""
    value: Floats = np.clip(surplus_w, 0.0, worker_w) / worker_w / 60.0
    return best_schedule(offers, value, busy == 0)


MINUTES_PER_HOUR = 60
# dark_hours_added is reported to a tenth of an hour: "0.0" lets a policy three minutes more.
DARK_ROUNDING_H = 0.05


@dataclass(frozen=True)
class PackWindow:
    """The pack as the bound counts it: energy at its open-circuit voltage (Wh).

    The simulation moves charge: a load of P watts takes P / OCV amperes, an MPPT charger gives
    P x efficiency / OCV. Counted as the integral of OCV over charge, both are exact in watts
    whatever the state of charge, so the programme stays linear.
    """

    floor_wh: float  # where the Pi goes dark
    full_wh: float
    start_wh: float
    charge_efficiency: float  # of what goes into the pack, what stays
    top_volts: float  # the highest open-circuit voltage (a PWM charger's ceiling)

    @classmethod
    def of(cls, pack: BatteryPack, floor_soc: float, start_soc: float) -> PackWindow:
        soc = np.linspace(0.0, 100.0, 2001)
        ocv = np.array([pack.ocv(float(q)) for q in soc])
        # Wh from empty to each SoC: the trapezoids of OCV over the charge.
        steps = (ocv[1:] + ocv[:-1]) / 2.0 * np.diff(soc) / 100.0 * pack.capacity_ah
        energy = np.concatenate([[0.0], np.cumsum(steps)])
        return cls(
            floor_wh=float(np.interp(floor_soc, soc, energy)),
            full_wh=float(energy[-1]),
            start_wh=float(np.interp(start_soc, soc, energy)),
            charge_efficiency=pack.chemistry.charge_efficiency,
            top_volts=float(ocv.max()),
        )


def harvest_ceiling_w(
    panel_w: Floats, panel_v: Floats, controller: ChargeController, top_volts: float
) -> Floats:
    """The most each minute's panel can give the pack and the Pi, at the pack's OCV (W).

    MPPT: the panel's power times the controller's efficiency, within its current limit (at the
    highest voltage, where that limit gives the most). PWM: the panel's current at the pack's
    voltage (its highest, again the most). The set point's taper near full is left out.
    """
    cap_w = controller.max_charge_current * top_volts
    if controller.kind == "pwm":
        amps = np.divide(panel_w, panel_v, out=np.zeros_like(panel_w), where=panel_v > 0)
        return np.minimum(amps, controller.max_charge_current) * top_volts
    return np.minimum(np.clip(panel_w, 0.0, None) * controller.efficiency, cap_w)


def _hourly(per_minute: Floats) -> Floats:
    """Sums of whole hours; a last partial hour counts as one."""
    hours = -(-len(per_minute) // MINUTES_PER_HOUR)
    padded = np.zeros(hours * MINUTES_PER_HOUR)
    padded[: len(per_minute)] = per_minute
    return padded.reshape(hours, MINUTES_PER_HOUR).sum(axis=1)


def offered_cover(offers: Ints) -> Floats:
    """Each minute: 1 where some offered task (completed inside the run) could be running."""
    minutes = len(offers)
    starts = np.flatnonzero(offers > 0)
    ends = starts + offers[starts]
    keep = ends < minutes
    edges = np.zeros(minutes + 1)
    np.add.at(edges, starts[keep], 1.0)
    np.add.at(edges, ends[keep], -1.0)
    return (np.cumsum(edges[:-1]) > 0).astype(np.float64)


def off_grid_bound(
    offers: Ints,
    harvest_w: Floats,
    pi_w: float,
    worker_w: float,
    pack: PackWindow,
    dark_hours: float,
) -> float:
    """The most task hours a policy that adds no dark hour can complete (an upper bound).

    Hour by hour, with the whole run known: the panel gives up to ``harvest_w`` (summed over the
    hour), the Pi takes ``pi_w`` unless dark, compute takes ``worker_w`` while an offered task
    could run, and the pack carries the rest between ``floor_wh`` and ``full_wh``, charging at
    its efficiency. The dark time may total ``none``'s (placed where it helps most), and the
    hours no more than the best schedule of the offers. Each is a relaxation of the run (no
    idle draw, no start-up, no task boundaries, the pack checked on the hour, the most
    favourable voltage), so no such policy beats it.
    """
    per_minute = np.full(len(offers), 1.0 / MINUTES_PER_HOUR)
    scheduled = best_schedule(offers, per_minute, np.ones(len(offers), dtype=bool))
    harvest = _hourly(harvest_w) / MINUTES_PER_HOUR  # Wh each hour
    cover = np.minimum(_hourly(offered_cover(offers)) / MINUTES_PER_HOUR, 1.0)
    hours = len(harvest)
    # Variables, a block of ``hours`` each: u harvest used, c compute hours, d dark share,
    # x into the pack, y out of it, e the pack's energy at the hour's end.
    eye = sparse.identity(hours, format="csr")
    zero = sparse.csr_matrix((hours, hours))
    # Power: u - x + y + pi_w d - worker_w c = pi_w (the harvest feeds the Pi, compute, pack).
    power = sparse.hstack([eye, -worker_w * eye, pi_w * eye, -eye, eye, zero])
    # Pack: e[h] - e[h-1] - eff x[h] + y[h] = 0, e[-1] the start.
    carry = eye - sparse.eye(hours, k=-1, format="csr")
    pack_rows = sparse.hstack([zero, zero, zero, -pack.charge_efficiency * eye, eye, carry])
    a_eq = sparse.vstack([power, pack_rows]).tocsr()
    b_eq = np.concatenate([np.full(hours, pi_w), np.zeros(hours)])
    b_eq[hours] = pack.start_wh
    a_ub = sparse.vstack(
        [
            sparse.hstack([zero, eye, eye, zero, zero, zero]),  # dark or computing, not both
            _block_sum(2, hours),  # the dark time
            _block_sum(1, hours),  # the compute hours
        ]
    ).tocsr()
    b_ub = np.concatenate([np.ones(hours), [dark_hours + DARK_ROUNDING_H, scheduled]])
    # The pack may dip one minute's draw below its floor: the minute the Witty Pi cuts the Pi.
    floor = pack.floor_wh - (pi_w + worker_w) / MINUTES_PER_HOUR
    bounds = (
        [(0.0, float(h)) for h in harvest]
        + [(0.0, float(k)) for k in cover]
        + [(0.0, 1.0)] * hours
        + [(0.0, None)] * (2 * hours)
        + [(floor, pack.full_wh)] * hours
    )
    objective = np.zeros(6 * hours)
    objective[hours : 2 * hours] = -1.0  # the most c
    result = linprog(objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds)
    if not result.success:
        raise RuntimeError(f"the off-grid bound's programme failed: {result.message}")
    return min(scheduled, -float(result.fun))


def _block_sum(block: int, hours: int) -> sparse.csr_matrix:
    """A row summing one block of the programme's six."""
    columns = np.arange(hours) + block * hours
    return sparse.csr_matrix((np.ones(hours), ([0] * hours, columns)), shape=(1, 6 * hours))
