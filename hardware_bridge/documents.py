"""The JSON documents the API serves: the bridge's state and who the bridge is.

Built in one place, from the parts that own each piece, so that ``/state``, ``/worker``, the
WebSocket push and ``/device`` cannot disagree. ``api/openapi.json`` describes them.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from hardware_bridge import __version__
from hardware_bridge.config import HardwareConfig
from hardware_bridge.guards import Guards
from hardware_bridge.readings import Snapshot, jsonable
from hardware_bridge.worker.status import WorkerStatus
from hardware_bridge.worker.supervisor import GuardHoldReport

API_VERSION = 1


def state_document(
    snapshot: Snapshot | None,
    worker: WorkerStatus,
    guards: Guards,
    faults: dict[str, str],
    sampled_at: float,
    *,
    hold: GuardHoldReport | None,
) -> dict[str, Any]:
    """The whole state (the API's ``/state``): readings, worker, guards and their hold on the
    worker, faults in force."""
    document = snapshot.as_dict() if snapshot else {}
    document["worker"] = jsonable(dataclasses.asdict(worker))
    document["guards"] = {
        "tripped": dict(guards.tripped),
        "hold": None if hold is None else dataclasses.asdict(hold),
        **guards.config.as_dict(),
    }
    document["degraded"] = {**document.get("errors", {}), **faults}
    document["sampled_at"] = sampled_at
    document["bridge_version"] = __version__
    return document


def device_document(
    *,
    device_id: str,
    hardware: HardwareConfig,
    simulated: bool,
    scenario: str | None,
    snapshot: Snapshot | None,
    worker_image: str,
) -> dict[str, Any]:
    """Who this bridge is (the API's ``/device``): identity, chips, board, battery, image."""
    witty = snapshot.witty_pi if snapshot else None
    chips = [
        {"role": role, "chip": monitor.chip, "address": monitor.address}
        for role, monitor in hardware.monitors().items()
    ]
    if hardware.witty_pi is not None:
        chips.append(
            {"role": "witty_pi", "chip": "witty_pi_4", "address": hardware.witty_pi.address}
        )
    return {
        "device_id": device_id,
        "model": pi_model(simulated),
        "bridge_version": __version__,
        "api_version": API_VERSION,
        "simulated": simulated,
        "scenario": scenario,
        "chips": chips,
        "witty_pi": None
        if witty is None
        else {
            "model": witty.model,
            "firmware_id": witty.firmware_id,
            "firmware_revision": witty.firmware_revision,
        },
        "battery": {
            "chemistry": hardware.battery.chemistry,
            "nominal_voltage": hardware.battery.nominal_voltage,
            "capacity_ah": hardware.battery.capacity_ah,
        },
        "worker_image": worker_image,
    }


def pi_model(simulated: bool) -> str:
    """The board's model as its firmware names it."""
    if simulated:
        return "Raspberry Pi (simulated)"
    try:
        return Path("/proc/device-tree/model").read_text().rstrip("\x00")
    except OSError:
        return "unknown"
