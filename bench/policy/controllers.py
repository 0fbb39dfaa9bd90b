"""The controllers the benchmark compares, behind one interface.

Each minute the driver gives a controller a ``Signal``: what a controller in a real home could
read *then* (the meter as of the previous sample, the forecast entity's hourly figure, the
worker's own state; ``ours`` the home's entities and the bridge's state, through the
integration's own assembly) and asks whether compute should run. ``drains`` says what "stop"
means for it: ours asks the bridge to drain (the task in flight finishes); the surplus
controllers switch the load off, as a smart plug or evcc's charger switch does, and the task in
flight is cut. The upper bound is not a controller: ``bound.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from custom_components.positive_energy_worker.assembly import Assembly, HomeReadings
from custom_components.positive_energy_worker.models import BridgeState
from custom_components.positive_energy_worker.policy import Policy
from custom_components.positive_energy_worker.settings import AutoSettings
from custom_components.positive_energy_worker.sun import Site


@dataclass(frozen=True, slots=True)
class Signal:
    """One minute's readings, as the home (or the bridge) reports them: what a rule would read
    (the surplus, the worker's draw), and the home's entities and the bridge's state as Home
    Assistant has them, which ``ours`` reads through the integration's own assembly."""

    time: float  # epoch seconds
    surplus_w: float  # raw, the worker's own draw included
    draw_w: float  # the worker's draw as the meter saw it
    running: bool
    home: HomeReadings
    bridge: BridgeState
    soc: float | None = None
    reserve_soc: float | None = None  # off-grid: the night's need (reserve.py), for soc_rule


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


class Ours(Controller):
    """The integration's auto mode: its observation assembly and its policy, imported."""

    name = "ours"
    drains = True

    def __init__(self, settings: AutoSettings, battery_wh: float, site: Site) -> None:
        self.policy = Policy(settings.policy)
        self.assembly = Assembly(settings, battery_wh, {}, site)
        self.reasons: dict[str, int] = {}

    def decide(self, signal: Signal) -> bool:
        seen = self.assembly.assemble(signal.time, signal.home, signal.bridge)
        decision = self.policy.decide(seen.observation)
        key = decision.reason.value
        self.reasons[key] = self.reasons.get(key, 0) + 1
        return decision.run
