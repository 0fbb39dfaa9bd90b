"""The bridge's documents as typed models, and the parser that reads them.

The bridge's OpenAPI document (``hardware_bridge/api/openapi.json``) is the contract: each model
below is one of its schemas, field for field under the same names, nullable where it is. A
document is parsed once, here; one that does not fit is a :class:`BridgeDocumentError` naming
the field, never a ``KeyError`` in an entity. Pure Python: no Home Assistant, no aiohttp.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, is_dataclass
from datetime import datetime
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Any, Final, TypeVar

from .errors import BridgeDocumentError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Model = TypeVar("Model", bound="DataclassInstance")


# The documents (OpenAPI components/schemas), each with only the fields this integration reads.


@dataclass(frozen=True)
class Health:
    """``Health``: anyone may ask."""

    status: str
    version: str


@dataclass(frozen=True)
class WittyPiInfo:
    """``Device.witty_pi``: which Witty Pi answers (null without one)."""

    model: str | None
    firmware_id: int
    firmware_revision: int


@dataclass(frozen=True)
class BatteryInfo:
    """``Device.battery``: the battery as configured."""

    chemistry: str
    nominal_voltage: float  # V
    capacity_ah: float


@dataclass(frozen=True)
class BridgeDevice:
    """``Device``: what the bridge is; it does not change while it runs."""

    device_id: str
    model: str
    bridge_version: str
    api_version: int
    simulated: bool
    scenario: str | None
    witty_pi: WittyPiInfo | None
    battery: BatteryInfo
    worker_image: str


@dataclass(frozen=True)
class Battery:
    """``Battery``: the battery's monitor (current, power and SoC are null until known)."""

    voltage: float  # V
    current: float | None  # A, positive while charging
    power: float | None  # W
    soc: float | None  # %
    soc_source: str | None
    chip: str


@dataclass(frozen=True)
class Solar:
    """``Solar``: the panel's monitor."""

    voltage: float  # V
    current: float  # A
    power: float  # W
    chip: str


@dataclass(frozen=True)
class WittyPi:
    """``WittyPi``: the power board's readings, thresholds and alarms."""

    input_voltage: float  # V
    output_voltage: float  # V
    output_current: float  # A
    power_source: str
    temperature: float | None  # °C
    low_voltage_threshold: float | None  # V, null when disabled
    rtc_time: datetime | None
    next_startup: datetime | None
    next_shutdown: datetime | None


@dataclass(frozen=True)
class Throttling:
    """``Throttling``: the Pi firmware's flags now."""

    under_voltage: bool
    throttled: bool


@dataclass(frozen=True)
class Host:
    """``Host``: the Pi itself; a figure its system does not expose is null."""

    cpu_percent: float | None  # % of all cores
    background_cpu_percent: float | None  # % of all cores, the worker's share left out
    soc_temperature: float | None  # °C
    throttling: Throttling | None  # null off a Pi
    total_memory_bytes: int | None
    available_memory_bytes: int | None
    free_disk_bytes: int | None

    @property
    def memory_used_percent(self) -> float | None:
        total, available = self.total_memory_bytes, self.available_memory_bytes
        if not total or available is None:
            return None
        return 100.0 * (total - available) / total


@dataclass(frozen=True)
class Energy:
    """``Energy``: counters in Wh since they began; they never decrease."""

    solar_harvested: float
    consumed: float
    battery_charged: float
    battery_discharged: float


class WorkerState(StrEnum):
    """``Worker.state``: where the worker container is in its life (the bridge's enum)."""

    NOT_CREATED = "not_created"
    STARTING = "starting"
    RUNNING = "running"
    DRAINING = "draining"
    STOPPED = "stopped"
    ERROR = "error"


# The states in which the worker takes tasks, and those in which it draws its power.
TAKING_TASKS: Final = frozenset({WorkerState.STARTING, WorkerState.RUNNING})
DRAWING: Final = TAKING_TASKS | {WorkerState.DRAINING}


@dataclass(frozen=True)
class WorkerStatus:
    """``Worker``: the iExec worker's container and tasks."""

    state: WorkerState
    desired_running: bool
    tasks_started: int
    tasks_completed: int
    tasks_running: int
    cpu_percent: float | None  # % of one core
    memory_bytes: int | None
    forced_stop: bool
    last_error: str | None
    chain_id: int  # the chain the worker earns on, as the bridge's config says
    core_chain_id: int | None  # the chain its core says it serves; null until it answered
    pool_address: str
    wallet: str | None  # the keystore's public address, lower case; null when unreadable
    platform_mismatch: str | None  # why the image cannot run on the Pi; null when it can

    @property
    def running(self) -> bool:
        """It takes tasks (a container starting counts: it will)."""
        return self.state in TAKING_TASKS

    @property
    def draining(self) -> bool:
        """It finishes the task in flight and takes no other."""
        return self.state is WorkerState.DRAINING

    @property
    def drawing(self) -> bool:
        """Its container runs and draws power, draining or not."""
        return self.state in DRAWING

    @property
    def wanted(self) -> bool:
        """Running, or wanted to run by its owner (a guard may hold it back)."""
        return self.desired_running or self.running


@dataclass(frozen=True)
class Guards:
    """``Guards``: which guards hold the worker back, and why."""

    tripped: Mapping[str, str]


@dataclass(frozen=True)
class BridgeState:
    """``State``: what ``/state`` serves and the event stream pushes; a part is null while its
    chip does not answer."""

    battery: Battery | None
    solar: Solar | None
    witty_pi: WittyPi | None
    host: Host | None
    energy: Energy
    worker: WorkerStatus
    guards: Guards
    degraded: Mapping[str, str]


@dataclass(frozen=True)
class Schedule:
    """``Schedule``: the Witty Pi's alarms."""

    next_startup: datetime | None
    next_shutdown: datetime | None


@dataclass(frozen=True)
class LowVoltage:
    """``LowVoltage``: below ``threshold`` the Witty Pi cuts the power (null: disabled)."""

    threshold: float | None
    recovery: float | None


@dataclass(frozen=True)
class Deadbands:
    """``SubscribeMessage.deadbands``: how far a reading moves before the bridge pushes it.

    The names are the subscribe message's and the options'; the defaults are the ones the
    bridge's OpenAPI document states (and the bridge applies when a client sends none).
    """

    power: float = 0.5  # W
    voltage: float = 0.05  # V
    soc: float = 0.5  # %

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Deadbands:
        """The deadbands a config entry's options choose; the defaults for the others."""
        return cls(**{f.name: float(options[f.name]) for f in fields(cls) if f.name in options})


def parse(model: type[Model], document: object, path: str) -> Model:
    """``document`` as a ``model``; BridgeDocumentError names the first field that does not fit."""
    if not isinstance(document, dict):
        raise BridgeDocumentError(f"{path}: expected an object, got {_shown(document)}")
    hints = _hints(model)
    values: dict[str, Any] = {}
    for field in fields(model):
        where = f"{path}.{field.name}"
        if field.name not in document:
            raise BridgeDocumentError(f"{where}: missing")
        values[field.name] = _value(hints[field.name], document[field.name], where)
    return model(**values)


@cache
def _hints(model: type) -> dict[str, Any]:
    return typing.get_type_hints(model)


# What a JSON value must be to stand for each scalar annotation (a bool is no number).
_SCALARS: dict[object, Callable[[object], bool]] = {
    float: lambda value: isinstance(value, int | float) and not isinstance(value, bool),
    int: lambda value: isinstance(value, int) and not isinstance(value, bool),
    str: lambda value: isinstance(value, str),
    bool: lambda value: isinstance(value, bool),
}


def _value(hint: Any, value: object, where: str) -> Any:
    """One field's value as its annotation says: a model, a number, a time, text, a mapping."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType) and type(None) in args:
        if value is None:
            return None
        (hint,) = (arg for arg in args if arg is not type(None))
    if isinstance(hint, type) and is_dataclass(hint):
        return parse(hint, value, where)
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        if isinstance(value, str) and value in hint.__members__.values():
            return hint(value)
        raise BridgeDocumentError(
            f"{where}: expected one of {', '.join(hint)}, got {_shown(value)}"
        )
    if hint in _SCALARS and _SCALARS[hint](value):
        return hint(value)
    if hint is datetime and isinstance(value, str):
        return _time(value, where)
    if typing.get_origin(hint) is Mapping and isinstance(value, dict) and _all_text(value):
        return dict(value)
    raise BridgeDocumentError(f"{where}: expected {_named(hint)}, got {_shown(value)}")


def _time(value: str, where: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError as err:
        raise BridgeDocumentError(f"{where}: expected an ISO 8601 time, got {value!r}") from err


def _all_text(mapping: dict[Any, Any]) -> bool:
    return all(isinstance(text, str) for text in mapping.values())


def _named(hint: Any) -> str:
    return {float: "a number", int: "an integer", str: "text", bool: "true or false",
            datetime: "an ISO 8601 time"}.get(hint, "an object of text")  # fmt: skip


def _shown(value: object) -> str:
    return "null" if value is None else f"{type(value).__name__} {value!r:.40}"
