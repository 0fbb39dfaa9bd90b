"""The controllers the benchmark compares, behind one interface.

Each minute the driver gives a controller a ``Signal`` (what a controller in a real home could
read) and asks whether compute should run. ``drains`` says what "stop" means for it: ours asks
the bridge to drain (the task in flight finishes); the surplus controllers switch the load off,
as a smart plug or evcc's charger switch does, and the task in flight is cut. The oracles live in
``oracle.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from custom_components.positive_energy_worker.policy import Observation, Policy, PolicyConfig
from custom_components.positive_energy_worker.surplus import Smoother


@dataclass(frozen=True, slots=True)
class Signal:
    """One minute's readings, as the home (or the bridge) reports them."""

    i: int  # minute of the run
    time: float  # epoch seconds
    surplus_w: float  # raw, the worker's own draw included
    draw_w: float  # the worker's draw now
    running: bool
    task_started: float | None
    busy: tuple[str, ...]
    forecast_wh: float | None
    soc: float | None = None
    carry_hours: float | None = None
    probe: bool = False


class Controller:
    """The interface: ``decide`` each minute."""

    name = "controller"
    drains = False

    def decide(self, signal: Signal) -> bool:
        raise NotImplementedError


class Never(Controller):
    """No compute at all: the baseline the surplus is measured on."""

    name = "none"

    def decide(self, signal: Signal) -> bool:  # noqa: ARG002 (the interface's signature)
        return False


class Naive(Controller):
    """Start when the surplus is above zero, stop when it is below, checked each minute."""

    name = "naive"

    def decide(self, signal: Signal) -> bool:
        return signal.surplus_w >= 0 if signal.running else signal.surplus_w > 0


class Evcc(Controller):
    """evcc's PV mode: enable once the export has exceeded the load's power for ``enable_s``,
    disable once the import has exceeded ``disable_import_w`` for ``disable_s``, and switch at
    most once per ``guard_s``."""

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
            condition = export > self.load_w
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


class Ours(Controller):
    """The integration's policy, imported, fed a smoothed surplus."""

    name = "ours"
    drains = True

    def __init__(self, config: PolicyConfig, smoothing_s: float) -> None:
        self.policy = Policy(config)
        self.smoother = Smoother(smoothing_s)
        self.reasons: dict[str, int] = {}

    def decide(self, signal: Signal) -> bool:
        smoothed = self.smoother.update(signal.time, signal.surplus_w)
        decision = self.policy.decide(
            Observation(
                time=signal.time,
                surplus_w=smoothed,
                worker_running=signal.running,
                task_started=signal.task_started,
                busy=signal.busy,
                battery_soc=signal.soc,
                carry_hours=signal.carry_hours,
                forecast_wh=signal.forecast_wh,
                probe=signal.probe,
            )
        )
        key = decision.reason.value
        self.reasons[key] = self.reasons.get(key, 0) + 1
        return decision.run
