"""Limits the integration restates from the bridge are the bridge's own.

HACS installs only the integration's folder, so it cannot import the bridge: where it checks a
value before sending it (the low-voltage cut's range, how far ahead a schedule may be) or fills
in what the bridge would (the deadbands), it keeps a copy. Each copy is held equal here.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
import voluptuous as vol
import yaml

from custom_components.positive_energy_worker.entity import LOW_VOLTAGE_CUT_RANGE
from custom_components.positive_energy_worker.models import Deadbands, WorkerState
from custom_components.positive_energy_worker.services import MAX_SCHEDULE_AHEAD, STOP_SCHEMA
from hardware_bridge.api.deadband import DEFAULT_DEADBANDS
from hardware_bridge.api.schemas import WORKER_STOP
from hardware_bridge.drivers import witty_pi
from hardware_bridge.worker.status import WorkerState as BridgeWorkerState

SERVICES = (
    Path(__file__).parents[2] / "custom_components" / "positive_energy_worker" / "services.yaml"
)


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


@pytest.mark.parametrize("timeout", [0.5, 1, 3600, 86400, 86400.5])
def test_a_drain_s_grace_is_bounded_as_the_bridge_bounds_it(timeout: float):
    def takes(schema: vol.Schema, data: dict[str, Any]) -> bool:
        try:
            schema(data)
        except vol.Invalid:
            return False
        return True

    bridge = takes(WORKER_STOP, {"timeout": timeout})
    assert takes(STOP_SCHEMA, {"timeout": timeout}) == bridge
    field = yaml.safe_load(SERVICES.read_text())["stop_worker"]["fields"]["timeout"]
    number = field["selector"]["number"]
    assert (number["min"] <= timeout <= number["max"]) == bridge
