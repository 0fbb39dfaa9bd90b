"""The controllers the benchmark compares, behind one interface.

Each minute the driver gives a controller a ``Signal``: what a controller in a real home could
read *then* (the meter as of the previous sample, the forecast entity's hourly figure, the
worker's own state) and asks whether compute should run. ``drains`` says what "stop" means for
it: ours asks the bridge to drain (the task in flight finishes); the surplus controllers switch
the load off, as a smart plug or evcc's charger switch does, and the task in flight is cut. The
upper bound is not a controller: ``bound.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from custom_components.positive_energy_worker.policy import (
    Observation,
    Policy,
    PolicyConfig,
    forecast_surplus_wh,
)
from custom_components.positive_energy_worker.settings import AutoSettings
from custom_components.positive_energy_worker.surplus import Smoother


@dataclass(frozen=True, slots=True)
class Signal:
    """One minute's readings, as the home (or the bridge) reports them."""

    i: int  # minute of the run
    time: float  # epoch seconds
    surplus_w: float  # raw, the worker's own draw included
    draw_w: float  # the worker's draw as the meter saw it
    running: bool
    task_started: float | None
    busy: tuple[str, ...]
    next_hour_wh: float | None  # the forecast entity's state
    home_use_w: float | None = None  # the home's draw without compute, as the meter saw it
    soc: float | None = None
    carry_hours: float | None = None
    probe: bool = False
    reserve_soc: float | None = None  # off-grid: the night's need (reserve.py)


class Controller:
    """The interface: ``decide`` each minute."""

    name = "controller"
    drains = False

    def decide(self, signal: Signal) -> bool:
        raise NotImplementedError


class Never(Controller):
    """No compute at all: the reference for what compute costs."""

    name = "none"

    def decide(self, signal: Signal) -> bool:  # noqa: ARG002 (the interface's signature)
        return False


class Naive(Controller):
    """Start when the export covers the worker, stop on any import; checked each minute."""

    name = "naive"

    def __init__(self, worker_w: float) -> None:
        self.worker_w = worker_w

    def decide(self, signal: Signal) -> bool:
        export = signal.surplus_w - signal.draw_w
        return export >= 0 if signal.running else export >= self.worker_w


class Evcc(Controller):
    """evcc's PV mode with its documented defaults: enable once the export has covered the load's
    power (threshold 0) for ``enable_s``, disable once the import has exceeded
    ``disable_import_w`` for ``disable_s``, and switch at most once per ``guard_s``."""

    name = "evcc"

    def __init__(
        self,
        load_w: float,
        enable_s: float,
        disable_s: float,
        disable_import_w: float,
        guard_s: float,
    ) -> None:
        self.load_w = load_w
        self.enable_s, self.disable_s = enable_s, disable_s
        self.disable_import_w, self.guard_s = disable_import_w, guard_s
        self._since: float | None = None
        self._switched = -1e18

    def decide(self, signal: Signal) -> bool:
        export = signal.surplus_w - signal.draw_w
        if signal.running:
            condition = -export > self.disable_import_w
            delay = self.disable_s
        else:
            condition = export >= self.load_w
            delay = self.enable_s
        now = signal.time
        if not condition:
            self._since = None
            return signal.running
        self._since = now if self._since is None else self._since
        # The timer counts whole minutes of the condition: the first sample starts it.
        if now - self._since + 60.0 >= delay and now - self._switched >= self.guard_s:
            self._switched, self._since = now, None
            return not signal.running
        return signal.running


class SocRule(Controller):
    """Off-grid: run while the SoC is at least the policy's reserve + 10 points, drain below the
    reserve (the one-line rule a user would write in an automation)."""

    name = "soc_rule"
    drains = True

    def decide(self, signal: Signal) -> bool:
        if signal.soc is None or signal.reserve_soc is None:
            return False
        threshold = signal.reserve_soc if signal.running else signal.reserve_soc + 10.0
        return signal.soc >= threshold


def settings_for(options: dict[str, Any]) -> tuple[AutoSettings, PolicyConfig]:
    """The integration's settings from a site's options, as ``AutoSettings.from_options`` reads
    them; PolicyConfig fields that are not options (a [policy] table's experiment) on top."""
    settings = AutoSettings.from_options(options)
    extra = {
        f.name: float(options[f.name])
        for f in fields(PolicyConfig)
        if f.name in options and f.name not in {"worker_watts", *settings_keys()}
    }
    return settings, replace(settings.policy, **extra)


def settings_keys() -> set[str]:
    from custom_components.positive_energy_worker.settings import POLICY_KNOBS, SURPLUS_KNOBS

    return {*POLICY_KNOBS, *SURPLUS_KNOBS}


class Ours(Controller):
    """The integration's policy with the options a user sets, fed a smoothed surplus."""

    name = "ours"
    drains = True

    def __init__(self, options: dict[str, Any]) -> None:
        settings, config = settings_for(options)
        self.policy = Policy(config)
        self.smoother = Smoother(settings.smoothing_s)
        self.has_forecast = settings.forecast is not None
        self.reasons: dict[str, int] = {}

    def decide(self, signal: Signal) -> bool:
        smoothed = self.smoother.update(signal.time, signal.surplus_w)
        forecast = None
        if self.has_forecast and signal.next_hour_wh is not None:
            forecast = forecast_surplus_wh(
                signal.next_hour_wh, signal.home_use_w, self.policy.config.task_hours
            )
        decision = self.policy.decide(
            Observation(
                time=signal.time,
                surplus_w=smoothed,
                worker_running=signal.running,
                task_started=signal.task_started,
                busy=signal.busy,
                battery_soc=signal.soc,
                carry_hours=signal.carry_hours,
                forecast_wh=forecast,
                probe=signal.probe,
                reserve_soc=signal.reserve_soc,
            )
        )
        key = decision.reason.value
        self.reasons[key] = self.reasons.get(key, 0) + 1
        return decision.run
