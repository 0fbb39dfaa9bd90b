"""Perfect foresight: the upper bound the benchmark measures the others against.

Grid-tied, the surplus does not depend on compute, so the oracle plans each day exactly: dynamic
programming over (minute, tasks done) with the day's real task durations picks the task starts
that maximise green compute hours (a task's hours times the share of its energy that was surplus),
starting only while no device is busy. Off-grid, compute changes the battery; the oracle knows the
sun and every task's duration and starts a task as early as the battery stays above its reserve
for the whole task (the earliest start leaves the least to be curtailed later).
"""

from __future__ import annotations

import numpy as np

from bench.policy.controllers import Controller, Signal
from bench.policy.traces import MINUTES_PER_DAY, Floats, TaskQueue
from hardware_bridge.sim.battery import Battery
from hardware_bridge.sim.load import PiLoad

# A task that brings no green energy is not worth starting: ties go to not starting.
GRID_PENALTY = 1e-6


def plan_day(
    green_w: Floats, may_start: np.ndarray, worker_w: float, durations: list[int]
) -> list[int]:
    """Start minutes for the day's tasks, in order, maximising green hours (DP)."""
    minutes = len(green_w)
    cum = np.concatenate([[0.0], np.cumsum(green_w)]) / worker_w / 60.0  # green hours
    count = len(durations)
    values = [np.zeros(minutes + 1) for _ in range(count + 1)]
    choices: list[np.ndarray] = [np.zeros(0)] * count
    for j in range(count - 1, -1, -1):
        d = durations[j]
        cand = np.full(minutes + 1, -np.inf)
        if d <= minutes:
            starts = np.arange(minutes - d + 1)
            gain = cum[starts + d] - cum[starts]
            grid_minutes = d - gain * 60.0
            cand[: minutes - d + 1] = np.where(
                may_start[: minutes - d + 1],
                gain - GRID_PENALTY * grid_minutes + values[j + 1][starts + d],
                -np.inf,
            )
        choices[j] = cand
        best = np.maximum.accumulate(cand[::-1])[::-1]
        values[j] = np.maximum(best, 0.0)
    plan, t = [], 0
    for j in range(count):
        if values[j][t] <= 0.0:
            break
        window = choices[j][t:]
        start = t + int(np.argmax(window >= values[j][t] - 1e-12))
        plan.append(start)
        t = start + durations[j]
    return plan


class GridOracle(Controller):
    """Runs the planned tasks; plans each day when it begins, with the tasks it will be given."""

    name = "oracle"
    drains = True

    def __init__(
        self, green_w: Floats, idle: np.ndarray, worker_w: float, queue: TaskQueue
    ) -> None:
        self.green_w, self.idle, self.worker_w = green_w, idle, worker_w
        self.queue = queue
        self._starts: set[int] = set()
        self._ends: set[int] = set()
        self._day = -1

    def _plan(self, day: int) -> None:
        a, b = day * MINUTES_PER_DAY, (day + 1) * MINUTES_PER_DAY
        green = self.green_w[a:b]
        minutes = int(np.count_nonzero(green > 0))
        durations: list[int] = []
        # The tasks that could fit in the day's green minutes, peeked without taking them.
        while sum(durations) < minutes:
            durations.append(self.queue.next())
        self.queue.push_back(durations)
        plan = plan_day(green, self.idle[a:b], self.worker_w, durations)
        self._starts = {a + s for s in plan}
        self._ends = {a + s + d for s, d in zip(plan, durations, strict=False)}

    def decide(self, signal: Signal) -> bool:
        day = signal.i // MINUTES_PER_DAY
        if day != self._day:
            self._day = day
            self._plan(day)
        if signal.task_started is not None:
            return True  # in a planned task; the driver ends it
        return signal.i in self._starts


class OffGridOracle(Controller):
    """Starts the next task as soon as the battery stays above its reserve throughout it."""

    name = "oracle"
    drains = True

    def __init__(
        self,
        battery: Battery,
        panel_w: Floats,
        panel_v: Floats,
        load: PiLoad,
        reserve_soc: float,
        queue: TaskQueue,
    ) -> None:
        self.battery, self.panel_w, self.panel_v = battery, panel_w, panel_v
        self.load, self.reserve = load, reserve_soc
        self.queue = queue
        capacity_wh = battery.pack.capacity_ah * battery.pack.nominal_voltage
        # The most a minute of compute can take from the battery, with margin: no sun at all.
        self._worst_per_minute = 100.0 * load.busy_watts / 60.0 / capacity_wh * 1.2

    def _feasible(self, i: int, minutes: int) -> bool:
        soc = self.battery.soc
        if soc < self.reserve:
            return False
        if soc - self._worst_per_minute * minutes >= self.reserve:
            return True
        trial = Battery(self.battery.pack, soc, self.battery.controller)
        busy = self.load.watts(1.0)
        end = min(i + minutes, len(self.panel_w))
        for k in range(i, end):
            if trial.soc < self.reserve:
                return False
            trial.step(60.0, float(self.panel_w[k]), float(self.panel_v[k]), busy)
        return True

    def decide(self, signal: Signal) -> bool:
        if signal.task_started is not None:
            return True
        return self._feasible(signal.i, self.queue.peek())
