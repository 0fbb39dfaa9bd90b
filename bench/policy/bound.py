"""An upper bound on green compute hours that no policy can beat: ``bound``.

Every policy completes a subset of the tasks the scheduler offers (``Traces.offers``): each taken
at its arrival, one at a time, and grid-tied none taken while a device is busy. The most green
hours any such subset gives is a weighted interval scheduling problem, solved exactly by dynamic
programming over the whole run (tasks may cross midnight): a task's value is its green hours,
the surplus it could use minute by minute (capped at the worker's power) over its length. It
relaxes the start-up delay and every meter's lag, so it is an upper bound, reached only by
perfect foresight.

Off-grid a task's value is its length (off-grid compute hours are green if they add no dark
hour), and energy bounds it too: compute can only use what ``none`` curtails (its battery full)
plus at most a full battery, so the hours are at most that energy over the worker's power.
The bound is the smaller of the two.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

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


def off_grid_bound(
    offers: Ints, worker_w: float, curtailed_by_none_wh: float, capacity_wh: float
) -> float:
    """Hours: the tasks' lengths, and no more than the energy compute could have had."""
    minutes = np.full(len(offers), 1.0 / 60.0)
    scheduled = best_schedule(offers, minutes, np.ones(len(offers), dtype=bool))
    return min(scheduled, (curtailed_by_none_wh + capacity_wh) / worker_w)
