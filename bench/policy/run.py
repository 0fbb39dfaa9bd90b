"""The driver: a controller against the site, minute by minute, and what it achieved.

Each minute: a task that reached its end completes (a draining worker then stops); the
controller decides on what it can see by then (the meter as of ``Sensing.lag_minutes`` ago, the
forecast entity's figure, the worker's own state); the worker starts (its container needs
``startup_minutes`` before a task), drains or is switched off (the task in flight is then cut);
a worker that is up, free and not draining takes the task the scheduler offers this minute, if
any; then the minute's energy flows (a running worker without a task draws its idle power).
Grid-tied, the home's meter sees the panel, the home and compute; off-grid, the simulation's own
``Battery`` and ``ChargeController`` carry the Pi, and the bridge's battery guard (drain below its
floor, start again from its resume SoC) holds for every controller, as it does on a real Pi.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from bench.policy.bridge_view import bridge_state, worker_state
from bench.policy.controllers import Controller, Signal
from bench.policy.scenario import BenchScenario
from bench.policy.traces import MINUTES_PER_DAY, Floats, Traces
from custom_components.positive_energy_worker.assembly import HomeReadings
from custom_components.positive_energy_worker.reserve import NightReserve
from custom_components.positive_energy_worker.sun import Site
from custom_components.positive_energy_worker.surplus import (
    GridMeter,
    OffGridEstimator,
    OffGridReading,
    grid_surplus,
)
from hardware_bridge.guards import BATTERY_LOW, GuardConfig, Guards
from hardware_bridge.hardware.readings import BatteryReading, Snapshot
from hardware_bridge.power.counters import EnergyCounters
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
    completed_wh: float = 0.0
    green_hours: float = 0.0
    compute_hours: float = 0.0
    tasks_completed: int = 0
    tasks_cut: int = 0
    starts: int = 0
    brownouts: int = 0
    dark_minutes: int = 0
    takeable_wh: float = 0.0  # the surplus a worker of this power could have taken
    curtailed_wh: float = 0.0
    task_wh: float = 0.0  # the task in flight
    task_green_wh: float = 0.0
    daily_green_hours: np.ndarray = field(default_factory=lambda: np.zeros(0))
    running: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    curtailed: np.ndarray = field(default_factory=lambda: np.zeros(0))

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
        self.completed_wh += self.task_wh
        self.tasks_completed += 1
        self.task_wh = self.task_green_wh = 0.0

    def cut(self) -> None:
        self.tasks_cut += 1
        self.task_wh = self.task_green_wh = 0.0

    def report(self) -> dict[str, Any]:
        return {
            "green_compute_hours": round(self.green_hours, 1),
            "surplus_used": round(self.completed_green_wh / self.takeable_wh, 4)
            if self.takeable_wh
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
        }


class Worker:
    """The worker's life: up or not, starting up, the task in flight, a drain under way."""

    def __init__(self, s: BenchScenario, tr: Traces, tally: Tally) -> None:
        self.offers, self.tally = tr.offers, tally
        self.startup = round(s.tasks.startup_minutes)
        self.busy_w, self.idle_w = s.worker_watts, s.worker_idle_watts
        self.on = False
        self.draining = False
        self.ready_at = 0
        self.task_end: int | None = None
        self.task_start = 0

    @property
    def draw_w(self) -> float:
        if self.task_end is not None:
            return self.busy_w
        return self.idle_w if self.on else 0.0

    def finish_due(self, i: int) -> None:
        if self.task_end is not None and self.task_end <= i:
            self.tally.complete(i - 1, self.task_end - self.task_start)
            self.task_end = None
            if self.draining:
                self.on = self.draining = False

    def apply(self, i: int, run: bool, drains: bool) -> None:
        if run:
            self.draining = False
            if not self.on:
                self.on = True
                self.ready_at = i + self.startup
                self.tally.starts += 1
        elif self.on:
            if self.task_end is not None and drains:
                self.draining = True
            else:
                self.off()

    def off(self) -> None:
        if self.task_end is not None:
            self.tally.cut()
        self.on = self.draining = False
        self.task_end = None

    def take_offer(self, i: int) -> None:
        """The scheduler's offer this minute goes to a worker that is up, free and willing."""
        length = int(self.offers[i])
        free = self.on and not self.draining and self.task_end is None
        if length and free and i >= self.ready_at:
            self.task_start = i
            self.task_end = i + length


def _tally(s: BenchScenario) -> Tally:
    minutes = s.days * MINUTES_PER_DAY
    return Tally(
        days=s.days,
        daily_green_hours=np.zeros(s.days),
        running=np.zeros(minutes, dtype=np.int8),
    )


def run_grid_tied(s: BenchScenario, tr: Traces, controller: Controller) -> Tally:
    tally = _tally(s)
    worker = Worker(s, tr, tally)
    pv, home, forecast = tr.panel_w, tr.home_w, tr.forecast_wh
    drains, lag = controller.drains, s.sensing.lag_minutes
    tally.takeable_wh = float(np.clip(pv - home, 0.0, s.worker_watts).sum() / 60.0)
    drawn = np.zeros(tr.minutes)  # the worker's draw each minute, as the meter saw it
    # The integration counts a worker that is up as drawing its power, task or not (the bridge
    # says "running", not how much it draws): the surplus adds back the worker's power then.
    up = np.zeros(tr.minutes, dtype=bool)
    for i in range(tr.minutes):
        now = tr.t0 + 60.0 * i
        worker.finish_due(i)
        j = max(0, i - lag)
        # The meters as Home Assistant has them now: production and consumption of minute j.
        meter = GridMeter(production_w=pv[j], consumption_w=home[j] + drawn[j])
        added = s.worker_watts if up[j] else 0.0
        readings = HomeReadings(
            production_w=float(pv[j]),
            consumption_w=float(home[j] + drawn[j]),
            forecast_wh=None if forecast is None else float(forecast[i]),
            busy=tr.busy_names(i) if tr.busy[i] else (),
        )
        signal = Signal(
            now,
            grid_surplus(meter, added),
            added,
            worker.on,
            readings,
            # The bridge pushes the worker's state as it changes: no lag there.
            bridge_state(worker_state(worker.on, worker.draining), worker.task_end is not None),
        )
        # Compute yields to busy devices whatever the controller: the baselines replace only the
        # surplus rule of the compute window (a plug switched off cuts its task; ours drains).
        run = controller.decide(signal) and not readings.busy
        worker.apply(i, run, drains)
        worker.take_offer(i)
        draw = worker.draw_w
        drawn[i], up[i] = draw, worker.on
        if draw:
            tally.minute(i, draw, pv[i] - home[i], worker.task_end is not None)
    return tally


def run_off_grid(s: BenchScenario, tr: Traces, controller: Controller, battery: Battery) -> Tally:
    assert s.off_grid is not None
    tally = _tally(s)
    tally.curtailed = np.zeros(tr.minutes)
    worker = Worker(s, tr, tally)
    estimator = OffGridEstimator(s.off_grid)
    site = s.sim.site
    # The reserve ``ours`` works out in its assembly, worked out again for ``soc_rule``.
    night = NightReserve(Site(site.latitude, site.longitude), s.off_grid.capacity_wh)
    load, guards = s.sim.load, Guards(GuardConfig())
    worker_w, drains = s.worker_watts, controller.drains
    dark, days_ahead = False, tr.days_ahead_wh
    flow = battery.step(0.0, 0.0, 0.0, load.watts(0.0))
    drawn, up = 0.0, False
    for i in range(tr.minutes):
        now = tr.t0 + 60.0 * i
        worker.finish_due(i)
        soc = battery.soc
        # What the bridge read over the previous minute (the policy's observation of it).
        battery_w = flow.battery_current * flow.battery_voltage
        reading = OffGridReading(
            time=now,
            soc=soc,
            battery_w=battery_w,
            panel_w=flow.panel_power,
            # As Home Assistant has it (the assembly's way): panel less battery, the
            # controller's losses included.
            load_w=flow.panel_power - battery_w,
            worker_w=worker_w if up else 0.0,
        )
        ahead = _known(days_ahead[i]) if days_ahead is not None else ()
        reserve = night.update(
            now, reading.panel_w, reading.load_w, reading.worker_w, soc, days_ahead_wh=ahead
        )
        estimate = estimator.estimate(reading, worker_w, reserve)
        signal = Signal(
            now,
            estimate.surplus_w,
            reading.worker_w,
            worker.on,
            HomeReadings(days_ahead_wh=ahead),
            bridge_state(
                worker_state(worker.on, worker.draining),
                worker.task_end is not None,
                soc,
                battery_w,
                flow.panel_power,
            ),
            soc,
            reserve_soc=reserve,
        )
        run = controller.decide(signal)
        # The bridge's own battery guard: below its floor the worker drains, and stays off
        # until the SoC is back at its resume level.
        held = _battery_low(guards, now, flow.battery_voltage, battery_w, soc)
        worker.apply(i, run and not held and not dark, drains or held)
        if not dark:
            worker.take_offer(i)
        drawn, up = worker.draw_w, worker.on
        pi_w = 0.0 if dark else load.watts(0.0) + drawn
        flow = battery.step(60.0, float(tr.panel_w[i]), float(tr.panel_v[i]), pi_w)
        tally.curtailed[i] = flow.curtailed_power
        tally.curtailed_wh += flow.curtailed_power / 60.0
        was_dark = dark
        dark = battery.soc <= BROWNOUT_SOC or (dark and battery.soc < RECOVERY_SOC)
        if dark:
            tally.dark_minutes += 1
        if dark and not was_dark:
            tally.brownouts += 1
            worker.off()
        if drawn and not dark:
            # Off-grid all compute is the sun's; whether it cost the Pi a dark hour is what
            # dark_hours_added (against ``none``) tells.
            tally.minute(i, drawn, drawn, worker.task_end is not None)
    return tally


def _known(days_wh: Floats) -> tuple[float, ...]:
    """The forecast days an entity shows, in order, up to the first it does not."""
    unknown = np.isnan(days_wh)
    end = int(np.argmax(unknown)) if unknown.any() else len(days_wh)
    return tuple(float(wh) for wh in days_wh[:end])


def _battery_low(guards: Guards, now: float, volts: float, watts: float, soc: float) -> bool:
    """Whether the bridge's battery guard holds the worker, fed the battery's reading."""
    reading = BatteryReading(
        voltage=volts,
        current=watts / volts if volts else None,
        power=watts,
        soc=soc,
        soc_source="coulomb",  # the bench counts charge as the bridge does
        chemistry="lifepo4",
        capacity_ah=0.0,
        overflow=False,
        chip="emulated",
    )
    moment = datetime.fromtimestamp(now, UTC)
    energy = EnergyCounters().energy()  # the guards read no energy
    guards.evaluate(
        Snapshot(time=moment, battery=reading, solar=None, witty_pi=None, energy=energy)
    )
    return BATTERY_LOW in guards.tripped
