"""A bridge service in the test's own process, on a simulated world whose clock the test moves."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from hardware_bridge.config.serve import ServeConfig
from hardware_bridge.config.standin import standin_worker
from hardware_bridge.hardware.drivers.register_device import RetryPolicy
from hardware_bridge.runtime.service import BridgeService
from hardware_bridge.sim.clock import ManualClock
from hardware_bridge.sim.scenario import Scenario
from hardware_bridge.sim.world import Simulation
from tests.support.clock import JUNE_MORNING


def in_process(scenario: Scenario, tmp_path: Path, config: ServeConfig | None = None) -> Any:
    """The service, with ``clock`` (the simulation's, moved by hand) and ``simulation`` set on it.

    Without ``config``, the worker's engine is a socket nobody listens on.
    """
    clock = ManualClock(JUNE_MORNING)
    simulation = Simulation(scenario, clock)
    hardware = simulation.hardware(data_dir=tmp_path, retry=RetryPolicy(sleep=lambda _: None))
    if config is None:
        worker = replace(standin_worker(tmp_path), docker_url=f"unix://{tmp_path}/none.sock")
        config = ServeConfig(worker=worker)
    bridge: Any = BridgeService(hardware, config, data_dir=tmp_path, device_id="0123456789abcdef")
    bridge.clock = clock  # the test moves time
    bridge.simulation = simulation
    return bridge
