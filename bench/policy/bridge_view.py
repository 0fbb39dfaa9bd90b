"""The bridge's state as the integration receives it, made from the simulated minute.

``ours`` runs the integration's own observation assembly (``assembly.py``), which reads the
bridge's state document as Home Assistant has it parsed (``models.BridgeState``). The bench
fills in what that assembly reads, the battery, the panel and the worker, and leaves the rest
as an idle bridge reports it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from custom_components.positive_energy_worker.models import (
    Battery,
    BridgeState,
    Energy,
    Guards,
    Solar,
    WorkerState,
    WorkerStatus,
)

_WORKER: Final = WorkerStatus(
    state=WorkerState.STOPPED,
    desired_running=False,
    tasks_started=0,
    tasks_completed=0,
    tasks_running=0,
    cpu_percent=None,
    memory_bytes=None,
    forced_stop=False,
    last_error=None,
    chain_id=42161,
    core_chain_id=42161,
    pool_address="0x" + "0" * 40,
    wallet=None,
    platform_mismatch=None,
)
_STATE: Final = BridgeState(
    battery=None,
    solar=None,
    witty_pi=None,
    host=None,
    energy=Energy(0.0, 0.0, 0.0, 0.0),
    worker=_WORKER,
    guards=Guards({}),
    degraded={},
)


def worker_state(on: bool, draining: bool) -> WorkerState:
    """The bridge's name for the simulated worker's life."""
    if not on:
        return WorkerState.STOPPED
    return WorkerState.DRAINING if draining else WorkerState.RUNNING


def bridge_state(
    state: WorkerState,
    task: bool,
    soc: float | None = None,
    battery_w: float | None = None,
    panel_w: float | None = None,
) -> BridgeState:
    """The state document of a bridge whose worker is in ``state`` (with a task or not) and,
    off-grid, whose battery and panel read as given."""
    worker = replace(
        _WORKER,
        state=state,
        desired_running=state is not WorkerState.STOPPED,
        tasks_running=int(task),
    )
    if soc is None or battery_w is None or panel_w is None:
        return replace(_STATE, worker=worker)
    battery = Battery(12.8, None, battery_w, soc, "accounting", "emulated")
    solar = Solar(18.0, panel_w / 18.0, panel_w, "emulated")
    return replace(_STATE, worker=worker, battery=battery, solar=solar)
