"""The driver: a controller against the site, minute by minute, and what it achieved.

Each minute: a task that reached its end completes (a draining worker then stops); the
controller decides; the worker starts, takes its next task, drains or is switched off (the
task in flight is then cut); then the minute's energy flows. Grid-tied, the home's meter sees
the panel, the home and compute; off-grid, the simulation's own ``Battery`` and
``ChargeController`` carry the Pi (its ``PiLoad`` busy while a task runs), and the bridge's
battery guard (drain below its floor, start again from its resume SoC) holds for every
controller, as it does on a real Pi.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from bench.policy.bridge_view import bridge_state, worker_state
from bench.policy.controllers import Controller, Signal
from bench.policy.scenario import BenchScenario
from bench.policy.traces import MINUTES_PER_DAY, TaskQueue, Traces
from custom_components.positive_energy_worker.assembly import HomeReadings
from custom_components.positive_energy_worker.surplus import (
    GridMeter,
    OffGridEstimator,
    OffGridReading,
    grid_surplus,
)
from hardware_bridge.guards import BATTERY_LOW, GuardConfig, Guards
from hardware_bridge.readings import BatteryReading, Snapshot
from hardware_bridge.sim.battery import Battery

BROWNOUT_SOC = 0.5  # the pack is empty: the Witty Pi has cut the Pi's power
RECOVERY_SOC = 10.0  # and restores it once the sun has put this much back


@dataclass
class Tally:
    """What a run achieved; energies in Wh."""

    days: int
    compute_wh: float = 0.0
    green_wh: float = 0.0
    completed_green_wh: float = 0.0
    green_hours: float = 0.0
    compute_hours: float = 0.0
    tasks_completed: int = 0
    tasks_cut: int = 0
    starts: int = 0
    brownouts: int = 0
    surplus_wh: float = 0.0
    curtailed_wh: float = 0.0
    task_wh: float = 0.0  # the task in flight
    task_green_wh: float = 0.0
    daily_green_hours: np.ndarray = field(default_factory=lambda: np.zeros(0))
    running: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))

    def minute(self, i: int, draw_w: float, green_w: float, task: bool) -> None:
        wh, green = draw_w / 60.0, min(draw_w, max(green_w, 0.0)) / 60.0
        self.compute_wh += wh
        self.green_wh += green
        if task:
            self.task_wh += wh
            self.task_green_wh += green
            self.running[i] = 2
        elif draw_w > 0:
            self.running[i] = 1

    def complete(self, i: int, minutes: int) -> None:
        share = self.task_green_wh / self.task_wh if self.task_wh > 0 else 0.0
        hours = minutes / 60.0
        self.green_hours += hours * share
        self.daily_green_hours[i // MINUTES_PER_DAY] += hours * share
        self.compute_hours += hours
        self.completed_green_wh += self.task_green_wh
        self.tasks_completed += 1
        self.task_wh = self.task_green_wh = 0.0

    def cut(self) -> None:
        self.tasks_cut += 1
        self.task_wh = self.task_green_wh = 0.0

    def report(self) -> dict[str, Any]:
        return {
            "green_compute_hours": round(self.green_hours, 1),
            "surplus_used": round(self.completed_green_wh / self.surplus_wh, 4)
            if self.surplus_wh
            else 0.0,
            "grid_share": round(1.0 - self.green_wh / self.compute_wh, 4)
            if self.compute_wh
            else 0.0,
            "cycles_per_day": round(self.starts / self.days, 2),
            "tasks_cut": self.tasks_cut,
            "brownouts": self.brownouts,
            "tasks_completed": self.tasks_completed,
            "compute_hours": round(self.compute_hours, 1),
            "compute_kwh": round(self.compute_wh / 1000.0, 2),
            "surplus_kwh": round(self.surplus_wh / 1000.0, 1),
        }


class Worker:
    """The worker's life: running or not, the task in flight, a drain under way."""

    def __init__(self, queue: TaskQueue, tally: Tally) -> None:
        self.queue, self.tally = queue, tally
        self.on = False
        self.draining = False
        self.task_end: int | None = None
        self.task_start = 0
        self.task_started: float | None = None

    def take_task(self, i: int, now: float) -> None:
        self.task_start, self.task_started = i, now
        self.task_end = i + self.queue.next()

    def finish_due(self, i: int) -> None:
        if self.task_end is not None and self.task_end <= i:
            self.tally.complete(i - 1, self.task_end - self.task_start)
            self.task_end = self.task_started = None
            if self.draining:
                self.on = self.draining = False

    def apply(self, i: int, now: float, run: bool, drains: bool) -> None:
        if run:
            self.draining = False
            if not self.on:
                self.on = True
                self.tally.starts += 1
            if self.task_end is None:
                self.take_task(i, now)
        elif self.on:
            if self.task_end is not None and drains:
                self.draining = True
            else:
                if self.task_end is not None:
                    self.tally.cut()
                self.on = self.draining = False
                self.task_end = self.task_started = None


def _tally(s: BenchScenario) -> Tally:
    minutes = s.days * MINUTES_PER_DAY
    return Tally(
        days=s.days,
        daily_green_hours=np.zeros(s.days),
        running=np.zeros(minutes, dtype=np.int8),
    )


def run_grid_tied(s: BenchScenario, tr: Traces, controller: Controller, queue: TaskQueue) -> Tally:
    tally = _tally(s)
    worker = Worker(queue, tally)
    pv, home, forecast = tr.panel_w, tr.home_w, tr.forecast_wh
    watts, drains = s.worker_watts, controller.drains
    tally.surplus_wh = float(np.clip(pv - home, 0.0, None).sum() / 60.0)
    for i in range(tr.minutes):
        now = tr.t0 + 60.0 * i
        worker.finish_due(i)
        draw = watts if worker.task_end is not None else 0.0
        # The meter: import positive; the home, compute and the panel behind it.
        meter = GridMeter(grid_w=home[i] + draw - pv[i])
        readings = HomeReadings(
            production_w=float(pv[i]),
            consumption_w=float(home[i] + draw),
            forecast_wh=None if forecast is None else float(forecast[i]),
            busy=tr.busy_names(i) if tr.busy[i] else (),
        )
        signal = Signal(
            i,
            now,
            grid_surplus(meter, draw),
            draw,
            worker.on,
            worker.task_started,
            readings,
            bridge_state(worker_state(worker.on, worker.draining), worker.task_end is not None),
        )
        # Compute yields to busy devices whatever the controller: the baselines replace only the
        # surplus rule of the compute window (a plug switched off cuts its task; ours drains).
        run = controller.decide(signal) and not readings.busy
        worker.apply(i, now, run, drains)
        draw = watts if worker.task_end is not None else 0.0
        if draw:
            tally.minute(i, draw, pv[i] - home[i], True)
    return tally


def run_off_grid(
    s: BenchScenario, tr: Traces, controller: Controller, queue: TaskQueue, battery: Battery
) -> Tally:
    assert s.off_grid is not None
    tally = _tally(s)
    worker = Worker(queue, tally)
    estimator = OffGridEstimator(s.off_grid)  # the baselines' surplus; ours has its own
    load, guards = s.sim.load, Guards(GuardConfig())
    worker_w, reserve, drains = s.worker_watts, s.off_grid.reserve_soc, controller.drains
    dark = False
    flow = battery.step(0.0, 0.0, 0.0, load.watts(0.0))
    for i in range(tr.minutes):
        now = tr.t0 + 60.0 * i
        worker.finish_due(i)
        busy = worker.task_end is not None
        soc = battery.soc
        battery_w = flow.battery_current * flow.battery_voltage
        estimate = estimator.estimate(
            OffGridReading(
                time=now,
                soc=soc,
                battery_w=battery_w,
                panel_w=flow.panel_power,
                load_w=flow.load_power,
                worker_w=worker_w if busy else 0.0,
            ),
            worker_w,
        )
        signal = Signal(
            i,
            now,
            estimate.surplus_w,
            worker_w if busy else 0.0,
            worker.on,
            worker.task_started,
            HomeReadings(),
            bridge_state(
                worker_state(worker.on, worker.draining), busy, soc, battery_w, flow.panel_power
            ),
            soc,
        )
        run = controller.decide(signal)
        # The bridge's own battery guard: below its floor the worker drains, and stays off
        # until the SoC is back at its resume level.
        held = _battery_low(guards, now, flow.battery_voltage, battery_w, soc)
        worker.apply(i, now, run and not held and not dark, drains or held)
        busy = worker.task_end is not None
        pi_w = load.watts(float(busy), powered=not dark)
        flow = battery.step(60.0, float(tr.panel_w[i]), float(tr.panel_v[i]), pi_w)
        tally.curtailed_wh += flow.curtailed_power / 60.0
        was_dark = dark
        dark = battery.soc <= BROWNOUT_SOC or (dark and battery.soc < RECOVERY_SOC)
        if dark and not was_dark:
            tally.brownouts += 1
            if worker.task_end is not None:
                tally.cut()
            worker.on = worker.draining = False
            worker.task_end = worker.task_started = None
        if busy:
            tally.minute(i, worker_w, worker_w if soc >= reserve else 0.0, True)
    return tally


def _battery_low(guards: Guards, now: float, volts: float, watts: float, soc: float) -> bool:
    """Whether the bridge's battery guard holds the worker, fed the battery's reading."""
    reading = BatteryReading(
        voltage=volts,
        current=watts / volts if volts else None,
        power=watts,
        soc=soc,
        soc_source="accounting",
        chemistry="lifepo4",
        capacity_ah=0.0,
        overflow=False,
        chip="emulated",
    )
    guards.evaluate(Snapshot(datetime.fromtimestamp(now, UTC), reading, None, None, {}))
    return BATTERY_LOW in guards.tripped
