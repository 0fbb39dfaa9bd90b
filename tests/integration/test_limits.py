"""Limits the integration restates from the bridge are the bridge's own.

HACS installs only the integration's folder, so it cannot import the bridge: where it checks a
value before sending it (the low-voltage cut's range, how far ahead a schedule may be) or fills
in what the bridge would (the deadbands), it keeps a copy. Each copy is held equal here.
"""

from __future__ import annotations

from dataclasses import asdict

from custom_components.positive_energy_worker.entity import LOW_VOLTAGE_CUT_RANGE
from custom_components.positive_energy_worker.models import Deadbands, WorkerState
from custom_components.positive_energy_worker.services import MAX_SCHEDULE_AHEAD
from hardware_bridge.api.deadband import DEFAULT_DEADBANDS
from hardware_bridge.drivers import witty_pi
from hardware_bridge.worker.status import WorkerState as BridgeWorkerState


def test_the_low_voltage_cut_range_is_the_widest_the_bridge_takes():
    ranges = (witty_pi.DEFAULT_VOLTAGE_RANGE, *witty_pi.VOLTAGE_RANGES.values())
    widest = (min(low for low, _ in ranges), max(high for _, high in ranges))
    assert LOW_VOLTAGE_CUT_RANGE == witty_pi.DEFAULT_VOLTAGE_RANGE == widest


def test_a_schedule_reaches_as_far_ahead_as_the_witty_pi_keeps():
    assert MAX_SCHEDULE_AHEAD == witty_pi.MAX_SCHEDULE_AHEAD


def test_the_deadbands_default_to_the_bridge_s():
    assert asdict(Deadbands()) == {name: DEFAULT_DEADBANDS[name] for name in asdict(Deadbands())}


def test_the_worker_states_are_the_bridge_s():
    assert [state.value for state in WorkerState] == [state.value for state in BridgeWorkerState]
