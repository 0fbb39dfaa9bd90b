"""The energy policy: when compute is welcome. Pure Python, no Home Assistant.

The integration's auto mode and the benchmark (``python -m bench.policy``) run this very module.
Call ``Policy.decide(observation)`` about once a minute (any cadence works: timers use the
observation's clock); it returns a ``Decision``: ``run`` and a stable ``reason`` key with a
human ``detail``. ``run=False`` while a task is in flight means *drain*: the task finishes, the
worker takes no new one; the policy never asks to kill a task.

The compute window is::

    surplus_w >= start_w  (for start_delay_s)  and  the task it starts can finish
    or the store (a battery above its reserve) carries store_margin tasks (to start;
    running, it goes on down to the reserve)
    and no device or priority consumer busy  and  battery SoC >= battery_reserve_soc

``Observation.surplus_w`` is the surplus already smoothed and *including the worker's own draw*
(see ``surplus.py``). Start and stop have their own thresholds (``start_w`` above the worker's
power, ``stop_w`` below it: hysteresis), minimum on and off times, and delays. A task in flight
rides a dip below ``stop_w`` while the energy it borrows (grid or battery) stays within
``ride_wh``; past that the worker drains. A start needs the task to finish: a forecast of the
surplus energy over the next ``task_hours`` (forecast.solar's or Solcast's next hour, less the
home's expected use) of at least a task's energy, or a store that carries it. Off-grid, a full
battery whose controller curtails shows no surplus anywhere: when the surplus estimator asks for
a ``probe``, the policy starts the worker to see whether the controller carries it.

The policy's timers survive a restart: ``Policy.to_dict()`` is plain JSON; restore it with
``Policy.from_dict(config, data)``. Times are seconds since the epoch (``datetime.timestamp()``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from enum import StrEnum
from typing import Any


class Reason(StrEnum):
    """Why the policy decided as it did: stable keys for translations and automations."""

    SURPLUS = "surplus"
    BATTERY_SPARE = "battery_spare"
    PROBE = "probe"
    NO_SURPLUS = "no_surplus"
    DEVICES_BUSY = "devices_busy"
    BATTERY_RESERVE = "battery_reserve"
    MIN_ON_TIME = "min_on_time"
    MIN_OFF_TIME = "min_off_time"
    START_DELAY = "start_delay"
    STOP_DELAY = "stop_delay"
    RIDING_DIP = "riding_dip"
    FORECAST_SHORT = "forecast_short"


@dataclass(frozen=True)
class PolicyConfig:
    """The knobs. Powers in W, energies in Wh, times in seconds, SoC in %."""

    # The defaults hold for any worker, a 3.7 W Pi or a 120 W PC, because none is in watts: a
    # start needs the surplus to carry the worker, a stop comes on import (the task in flight
    # still finishes: a stop drains), and the delays and minimum times are evcc's (a minute to
    # enable, five between switches). They were chosen before the held-out sites were run
    # (bench/README.md) and no scenario overrides them.
    worker_watts: float  # what compute draws while it runs (the bridge's load rise, a PC's draw)
    start_margin_w: float = 0.0  # start when the surplus beats the worker's power by this
    stop_margin_w: float = 0.0  # stop when the surplus falls this far below the worker's power
    start_delay_s: float = 60.0
    stop_delay_s: float = 60.0
    min_on_s: float = 300.0
    min_off_s: float = 300.0
    # Never compute below this SoC (a home's battery or the Pi's own). Off-grid it is a floor
    # under the reserve worked out from the night ahead (reserve.py), which is what sees the Pi
    # through; the default only keeps the pack off its last tenth.
    battery_reserve_soc: float = 10.0
    task_hours: float = 1.0  # the longest task of the worker's category: what a start must carry
    ride_wh: float = 0.0  # energy a task in flight may borrow through a dip before draining
    forecast_margin: float = 1.0  # to start, the forecast must promise this many tasks' energy
    forecast_stop_margin: float = 1.0  # running, less than this many tasks' energy ahead drains
    store_margin: float = 1.5  # the store must carry this many tasks to start on it
    # Running on the store, it drains at the reserve (the task in flight finishes below it,
    # within the reserve's margin), as the one-line SoC rule does: stopping a task early left a
    # task's energy unused every evening.
    store_stop_margin: float = 0.0

    @property
    def start_w(self) -> float:
        return self.worker_watts + self.start_margin_w

    @property
    def stop_w(self) -> float:
        return self.worker_watts - self.stop_margin_w

    @property
    def task_wh(self) -> float:
        return self.worker_watts * self.task_hours


@dataclass(frozen=True)
class Observation:
    """What the policy sees at ``time``."""

    time: float  # seconds since the epoch
    surplus_w: float  # smoothed, including the worker's own draw
    worker_running: bool = False
    task_started: float | None = None  # when the task in flight started; None: no task
    busy: tuple[str, ...] = ()  # devices or priority consumers in use: compute yields to them
    battery_soc: float | None = None
    carry_hours: float | None = None  # how long the store above its reserve carries compute
    forecast_wh: float | None = None  # surplus energy expected over the next task_hours
    probe: bool = False  # the surplus estimator asks to start and watch (curtailment unseen)
    reserve_soc: float | None = None  # off-grid: the night's need now (reserve.py), if known
    # Off-grid, before the useful sun with the pack under the reserve it will set (the night
    # after it): the hours until then, when that night claims the pack and stops compute.
    claimed_in_h: float | None = None


@dataclass(frozen=True)
class Decision:
    """Whether compute should run, and why."""

    run: bool
    reason: Reason
    detail: str = ""
    # The surplus carries the worker (see ``Policy.surplus_ok``), whatever else holds it back:
    # the one definition the compute window's surplus entity shows.
    surplus: bool = False


@dataclass
class PolicyState:
    """The policy's memory: all a restart must keep."""

    on: bool = False
    changed_at: float | None = None  # when ``on`` last changed
    above_since: float | None = None  # surplus at or above the start threshold since
    below_since: float | None = None  # surplus below the stop threshold since (while on)
    borrowed_wh: float = 0.0  # energy borrowed riding the current dip
    last_time: float | None = None
    started_on: str = ""  # the reason of the last start: surplus, battery_spare or probe


@dataclass
class Policy:
    """The decision maker. One per worker; feed it observations in time order."""

    config: PolicyConfig
    state: PolicyState = field(default_factory=PolicyState)

    def to_dict(self) -> dict[str, Any]:
        """The state as plain JSON-able data."""
        return asdict(self.state)

    @classmethod
    def from_dict(cls, config: PolicyConfig, data: dict[str, Any]) -> Policy:
        """A policy resuming from ``to_dict()``'s data; unknown keys are ignored."""
        known = {f.name for f in fields(PolicyState)}
        return cls(config, PolicyState(**{k: v for k, v in data.items() if k in known}))

    def decide(self, obs: Observation) -> Decision:
        """The decision at ``obs.time``; updates the state."""
        state = self.state
        dt = 0.0 if state.last_time is None else max(0.0, obs.time - state.last_time)
        state.last_time = obs.time
        if obs.worker_running and not state.on and state.changed_at is None:
            # First sight of a worker already running (a fresh policy): take it as ours.
            self._switch(True, obs.time)
        surplus = self.surplus_ok(obs, running=state.on)
        decision = self._running(obs, dt, surplus) if state.on else self._stopped(obs, surplus)
        decision = replace(decision, surplus=surplus)
        if decision.run != state.on:
            self._switch(decision.run, obs.time)
            if decision.run:
                state.started_on = decision.reason.value
        return decision

    def surplus_ok(self, obs: Observation, *, running: bool) -> bool:
        """The surplus carries the worker: above the stop threshold while it runs, above the
        start threshold to start, or above the stop one when the forecast promises the whole
        task (a rising morning)."""
        cfg = self.config
        promised = obs.forecast_wh is not None and not self._forecast_short(
            obs, cfg.forecast_margin
        )
        return obs.surplus_w >= (cfg.stop_w if running or promised else cfg.start_w)

    # -- helpers ---------------------------------------------------------------------------

    def _switch(self, on: bool, now: float) -> None:
        state = self.state
        state.on, state.changed_at = on, now
        state.below_since, state.borrowed_wh = None, 0.0

    def _since(self, moment: float | None, now: float) -> float:
        return 0.0 if moment is None else now - moment

    def _held(self, obs: Observation) -> Decision | None:
        """The conditions nothing overrides: busy devices, the battery's reserve."""
        if obs.busy:
            return Decision(False, Reason.DEVICES_BUSY, ", ".join(obs.busy))
        reserve = max(self.config.battery_reserve_soc, obs.reserve_soc or 0.0)
        if obs.battery_soc is not None and obs.battery_soc < reserve:
            return Decision(
                False, Reason.BATTERY_RESERVE, f"{obs.battery_soc:.0f} % < {reserve:.0f} %"
            )
        return None

    def _forecast_short(self, obs: Observation, tasks: float) -> bool:
        need = self.config.task_wh * tasks
        return obs.forecast_wh is not None and obs.forecast_wh < need

    def _carries(self, obs: Observation, tasks: float) -> bool:
        return obs.carry_hours is not None and obs.carry_hours >= self.config.task_hours * tasks

    def _stopped(self, obs: Observation, surplus_ok: bool) -> Decision:  # noqa: PLR0911 (a return per reason)
        cfg, state, now = self.config, self.state, obs.time
        if not surplus_ok:
            state.above_since = None
        elif state.above_since is None:
            state.above_since = now
        held = self._held(obs)
        if held:
            return held
        off_for = self._since(state.changed_at, now)
        if state.changed_at is not None and off_for < cfg.min_off_s:
            return Decision(False, Reason.MIN_OFF_TIME, f"off for {off_for:.0f} s")
        claimed = obs.claimed_in_h
        if claimed is not None and claimed < cfg.task_hours * cfg.store_margin:
            # Started now, on the sun or the store, it would stop when the useful sun comes (at
            # Anchorage in December a start 25 minutes before each low noon, a stop at noon).
            return Decision(
                False,
                Reason.BATTERY_RESERVE,
                f"the coming sun's night claims the pack in {claimed * 60:.0f} min",
            )
        if self._carries(obs, cfg.store_margin):
            return Decision(True, Reason.BATTERY_SPARE, f"carries {obs.carry_hours:.1f} h")
        if surplus_ok:
            waited = self._since(state.above_since, now)
            if waited < cfg.start_delay_s:
                return Decision(
                    False, Reason.START_DELAY, f"{obs.surplus_w:.0f} W for {waited:.0f} s"
                )
            if self._forecast_short(obs, cfg.forecast_margin):
                return Decision(False, Reason.FORECAST_SHORT, f"{obs.forecast_wh:.0f} Wh ahead")
            return Decision(True, Reason.SURPLUS, f"{obs.surplus_w:.0f} W")
        if obs.probe:
            return Decision(True, Reason.PROBE, "full battery: does the controller carry it?")
        return Decision(False, Reason.NO_SURPLUS, f"{obs.surplus_w:.0f} W < {cfg.start_w:.0f} W")

    def _running(self, obs: Observation, dt: float, surplus_ok: bool) -> Decision:  # noqa: PLR0911 (as above)
        cfg, state, now = self.config, self.state, obs.time
        held = self._held(obs)
        if held:
            return held
        short = self._forecast_short(obs, cfg.forecast_stop_margin)
        if surplus_ok and not short:
            # Said first: the sun carrying the worker is the reason, though a store would too.
            state.below_since, state.borrowed_wh = None, 0.0
            return Decision(True, Reason.SURPLUS, f"{obs.surplus_w:.0f} W")
        if self._carries(obs, cfg.store_stop_margin):
            state.below_since, state.borrowed_wh = None, 0.0
            return Decision(True, Reason.BATTERY_SPARE, f"carries {obs.carry_hours:.1f} h")
        if short:
            # The next task would not finish: let this one end and take no other.
            return Decision(False, Reason.FORECAST_SHORT, f"{obs.forecast_wh:.0f} Wh ahead")
        if state.below_since is None:
            state.below_since = now
        # What the task borrows is its own draw that the surplus leaves uncovered, never more:
        # a kettle's import is the home's, not compute's.
        uncovered = min(cfg.worker_watts, max(0.0, cfg.worker_watts - obs.surplus_w))
        state.borrowed_wh += uncovered * dt / 3600.0
        on_for = self._since(state.changed_at, now)
        if on_for < cfg.min_on_s:
            return Decision(True, Reason.MIN_ON_TIME, f"on for {on_for:.0f} s")
        below = self._since(state.below_since, now)
        if below < cfg.stop_delay_s:
            return Decision(True, Reason.STOP_DELAY, f"{obs.surplus_w:.0f} W for {below:.0f} s")
        if obs.task_started is not None and state.borrowed_wh <= cfg.ride_wh:
            return Decision(True, Reason.RIDING_DIP, f"borrowed {state.borrowed_wh:.1f} Wh")
        return Decision(False, Reason.NO_SURPLUS, f"{obs.surplus_w:.0f} W < {cfg.stop_w:.0f} W")
