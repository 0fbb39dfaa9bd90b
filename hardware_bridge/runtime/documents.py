"""The documents the API serves, as typed models: the bridge's state, who the bridge is, the
Witty Pi's views, health and errors.

Built in one place, from the parts that own each piece, so that ``/state``, ``/worker``, the
WebSocket push and ``/device`` cannot disagree. ``api/openapi.json``'s schemas are generated
from these models (``hardware-bridge openapi``); the api layer turns them into JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from hardware_bridge import __version__
from hardware_bridge.base.errors import NotSampledError
from hardware_bridge.base.wire import Doc
from hardware_bridge.guards import GuardLimits, Guards
from hardware_bridge.hardware.config import HardwareConfig
from hardware_bridge.hardware.drivers.witty_pi import DEFAULT_VOLTAGE_RANGE
from hardware_bridge.hardware.readings import Readings, Snapshot, WittyPiReading
from hardware_bridge.hardware.scan import FIRST_ADDRESS, LAST_ADDRESS
from hardware_bridge.power.chemistry import CHEMISTRIES
from hardware_bridge.worker.status import WorkerStatus
from hardware_bridge.worker.supervisor import GuardHoldReport

API_VERSION: Literal[1] = 1
DEVICE_ID_PATTERN = "[A-Za-z0-9-]{1,32}"  # it names the bridge in mDNS: pew-<id>.local.
Volts = Annotated[
    float | None, Doc(minimum=DEFAULT_VOLTAGE_RANGE[0], maximum=DEFAULT_VOLTAGE_RANGE[1])
]


@dataclass(frozen=True, kw_only=True)
class GuardsDocument(GuardLimits):
    """``Guards``: which guards hold the worker back and why, their hold, their limits."""

    tripped: Annotated[
        dict[str, str], Doc("guard name (battery_low, over_temperature, low_voltage) to reason")
    ]
    hold: Annotated[
        GuardHoldReport | None,
        Doc(
            "while a guard forbids running, its hold on the worker: drained, then killed at "
            "kill_at, tried again every pass until it is stopped (null when no guard is tripped)"
        ),
    ]


@dataclass(frozen=True, kw_only=True)
class StateDocument(Readings):
    """``State``: what ``/state`` serves and the event stream pushes."""

    worker: WorkerStatus
    guards: GuardsDocument
    degraded: Annotated[
        dict[str, str],
        Doc(
            "every fault in force: chips, docker, worker, a state file found corrupt at start "
            "(power.json, worker.json: what was wrong, where it was moved), a state file that "
            "cannot be saved (power.json:save, worker.json:save)"
        ),
    ]
    sampled_at: Annotated[float, Doc("Unix time the hardware was sampled")]
    bridge_version: str


@dataclass(frozen=True, kw_only=True)
class Chip:
    """``Chip``: one chip the bridge talks to."""

    role: Annotated[str, Doc(enum=("solar", "battery", "witty_pi"))]
    chip: str
    address: Annotated[int, Doc(minimum=FIRST_ADDRESS, maximum=LAST_ADDRESS)]


@dataclass(frozen=True, kw_only=True)
class WittyPiInfo:
    """``WittyPiInfo``: which Witty Pi answers."""

    model: str | None
    firmware_id: int
    firmware_revision: int


@dataclass(frozen=True, kw_only=True)
class BatteryInfo:
    """``BatteryInfo``: the battery as configured."""

    chemistry: Annotated[str, Doc(enum=tuple(CHEMISTRIES))]
    nominal_voltage: float
    capacity_ah: float


@dataclass(frozen=True, kw_only=True)
class DeviceDocument:
    """``Device``: who this bridge is."""

    device_id: Annotated[str, Doc(pattern=f"^{DEVICE_ID_PATTERN}$")]
    model: str
    bridge_version: str
    api_version: Literal[1]
    simulated: bool
    scenario: str | None
    chips: tuple[Chip, ...]
    witty_pi: WittyPiInfo | None
    battery: BatteryInfo
    worker_image: str


@dataclass(frozen=True, kw_only=True)
class Schedule:
    """``Schedule``: the Witty Pi's next startup and shutdown (null: none)."""

    next_startup: datetime | None
    next_shutdown: datetime | None


@dataclass(frozen=True, kw_only=True)
class LowVoltage:
    """``LowVoltage``: the Witty Pi's low-voltage cut and recovery (null: disabled)."""

    threshold: Volts
    recovery: Volts


@dataclass(frozen=True, kw_only=True)
class Health:
    """``Health``: anyone may ask."""

    status: Literal["ok"]
    version: str


@dataclass(frozen=True, kw_only=True)
class ErrorDocument:
    """``Error``: what every refusal and failure answers."""

    error: str
    message: str


def state_document(
    snapshot: Snapshot | None,
    worker: WorkerStatus,
    guards: Guards,
    faults: dict[str, str],
    sampled_at: float,
    *,
    hold: GuardHoldReport | None,
) -> StateDocument:
    """The whole state (the API's ``/state``): readings, worker, guards and their hold on the
    worker, and every fault in force (the chips' and the rest) as ``degraded``."""
    if snapshot is None:
        raise NotSampledError("the hardware has not been sampled yet")
    return StateDocument(
        **_part(Readings, snapshot),
        worker=worker,
        guards=GuardsDocument(
            tripped=dict(guards.tripped), hold=hold, **_part(GuardLimits, guards.config)
        ),
        degraded={**snapshot.degraded, **faults},
        sampled_at=sampled_at,
        bridge_version=__version__,
    )


def _part(base: type[Any], value: object) -> dict[str, Any]:
    """The fields of ``base`` as ``value`` holds them: a document extends the part it shows."""
    return {field.name: getattr(value, field.name) for field in fields(base)}


def device_document(
    *,
    device_id: str,
    hardware: HardwareConfig,
    simulated: bool,
    scenario: str | None,
    snapshot: Snapshot | None,
    worker_image: str,
) -> DeviceDocument:
    """Who this bridge is (the API's ``/device``): identity, chips, board, battery, image."""
    witty = snapshot.witty_pi if snapshot else None
    chips = [
        Chip(role=role, chip=monitor.chip, address=monitor.address)
        for role, monitor in hardware.monitors().items()
    ]
    if hardware.witty_pi is not None:
        chips.append(Chip(role="witty_pi", chip="witty_pi_4", address=hardware.witty_pi.address))
    return DeviceDocument(
        device_id=device_id,
        model=pi_model(simulated),
        bridge_version=__version__,
        api_version=API_VERSION,
        simulated=simulated,
        scenario=scenario,
        chips=tuple(chips),
        witty_pi=None
        if witty is None
        else WittyPiInfo(
            model=witty.model,
            firmware_id=witty.firmware_id,
            firmware_revision=witty.firmware_revision,
        ),
        battery=BatteryInfo(
            chemistry=hardware.battery.chemistry,
            nominal_voltage=hardware.battery.nominal_voltage,
            capacity_ah=hardware.battery.capacity_ah,
        ),
        worker_image=worker_image,
    )


def schedule(witty: WittyPiReading) -> Schedule:
    """What ``/witty_pi/schedule`` shows of the Witty Pi's reading."""
    return Schedule(next_startup=witty.next_startup, next_shutdown=witty.next_shutdown)


def low_voltage(witty: WittyPiReading) -> LowVoltage:
    """What ``/witty_pi/low_voltage`` shows of the Witty Pi's reading."""
    return LowVoltage(threshold=witty.low_voltage_threshold, recovery=witty.recovery_voltage)


def pi_model(simulated: bool) -> str:
    """The board's model as its firmware names it."""
    if simulated:
        return "Raspberry Pi (simulated)"
    try:
        return Path("/proc/device-tree/model").read_text().rstrip("\x00")
    except OSError:
        return "unknown"
