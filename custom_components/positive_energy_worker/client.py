"""A small async client for the hardware bridge's API: typed models in, typed models out.

The bridge's OpenAPI document (``hardware_bridge/api/openapi.json``) is the contract: each model
below is one of its schemas, field for field under the same names, nullable where it is. A
document is parsed once, here; one that does not fit is a :class:`BridgeDocumentError` naming
the field, never a ``KeyError`` in an entity.

HACS installs only this folder, so the client lives here; it uses Home Assistant's shared aiohttp
session but nothing else of Home Assistant.
"""

from __future__ import annotations

import asyncio
import types
import typing
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import asdict, dataclass, fields, is_dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

import aiohttp

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

PREFIX = "/api/v1"
TIMEOUT = aiohttp.ClientTimeout(total=15)

Model = TypeVar("Model", bound="DataclassInstance")


class BridgeClientError(Exception):
    """Base of the client's errors."""


class BridgeConnectionError(BridgeClientError):
    """The bridge does not answer (down, rebooting, wrong address)."""


class BridgeAuthError(BridgeClientError):
    """The token was refused."""


class NotABridgeError(BridgeClientError):
    """Something answered, but it is not a hardware bridge."""


class BridgeDocumentError(NotABridgeError):
    """A document lacks a field of the contract, or has it with the wrong type."""


class BridgeRefusedError(BridgeClientError):
    """The bridge understood and refused (a guard, a bad value, the worker's state)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


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


@dataclass(frozen=True)
class WorkerStatus:
    """``Worker``: the iExec worker's container and tasks."""

    state: str
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


class BridgeClient:
    """One bridge at ``host:port`` with its bearer token."""

    def __init__(self, session: aiohttp.ClientSession, host: str, port: int, token: str) -> None:
        self._session = session
        self.host = host
        self.port = port
        self._token = token

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{PREFIX}"

    @property
    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    async def _request(
        self, method: str, path: str, body: Mapping[str, Any] | None = None
    ) -> object:
        try:
            async with self._session.request(
                method,
                f"{self.base_url}{path}",
                headers=self._headers,
                json=body,
                timeout=TIMEOUT,
            ) as reply:
                if reply.status == 401:
                    raise BridgeAuthError("the bridge refused the token")
                try:
                    document: object = await reply.json(content_type=None)
                except ValueError as err:
                    raise NotABridgeError(f"{path} did not answer JSON") from err
                if reply.status >= 400:
                    if not isinstance(document, dict) or "error" not in document:
                        raise NotABridgeError(f"{path} answered {reply.status}")
                    raise BridgeRefusedError(
                        reply.status, str(document["error"]), str(document.get("message", ""))
                    )
                return document
        except (TimeoutError, aiohttp.ClientError) as err:
            raise BridgeConnectionError(f"cannot reach {self.base_url}: {err}") from err

    async def health(self) -> Health:
        """The bridge's version; NotABridgeError for anything that is not a bridge's answer."""
        try:
            health = parse(Health, await self._request("GET", "/health"), "health")
        except BridgeRefusedError as err:
            raise NotABridgeError(f"health answered {err.status}") from err
        if health.status != "ok":
            raise NotABridgeError("health did not answer like a bridge")
        return health

    async def device(self) -> BridgeDevice:
        return parse(BridgeDevice, await self._request("GET", "/device"), "device")

    async def state(self) -> BridgeState:
        return parse(BridgeState, await self._request("GET", "/state"), "state")

    async def start_worker(self) -> WorkerStatus:
        return parse(WorkerStatus, await self._request("POST", "/worker/start"), "worker")

    async def stop_worker(self, *, drain: bool = True, grace: float | None = None) -> WorkerStatus:
        """Drain (the running task may take ``grace`` seconds) or stop at once."""
        body: dict[str, Any] = {"drain": drain}
        if grace is not None:
            body["timeout"] = grace
        return parse(WorkerStatus, await self._request("POST", "/worker/stop", body), "worker")

    async def set_schedule(self, startup: datetime | None, shutdown: datetime | None) -> Schedule:
        body = {
            "next_startup": startup.isoformat() if startup else None,
            "next_shutdown": shutdown.isoformat() if shutdown else None,
        }
        return parse(Schedule, await self._request("PUT", "/witty_pi/schedule", body), "schedule")

    async def set_low_voltage(self, threshold: float | None) -> LowVoltage:
        document = await self._request("PUT", "/witty_pi/low_voltage", {"threshold": threshold})
        return parse(LowVoltage, document, "low_voltage")

    async def events(self, deadbands: Deadbands) -> AsyncIterator[BridgeState]:
        """The bridge's pushed states, until the connection ends (then BridgeConnectionError)."""
        try:
            async with self._session.ws_connect(
                f"{self.base_url}/events", headers=self._headers, heartbeat=30
            ) as ws:
                await ws.send_json({"type": "subscribe", "deadbands": asdict(deadbands)})
                async for message in ws:
                    if message.type != aiohttp.WSMsgType.TEXT:
                        break
                    try:
                        document = message.json()
                    except ValueError as err:
                        raise NotABridgeError("the event stream sent something not JSON") from err
                    if isinstance(document, dict) and document.get("type") == "state":
                        yield parse(BridgeState, document.get("data"), "event.data")
        except aiohttp.WSServerHandshakeError as err:
            if err.status == 401:
                raise BridgeAuthError("the bridge refused the token") from err
            raise BridgeConnectionError(f"event stream refused: {err.status}") from err
        except (TimeoutError, aiohttp.ClientError, asyncio.IncompleteReadError) as err:
            raise BridgeConnectionError(f"event stream lost: {err}") from err
        raise BridgeConnectionError("the bridge closed the event stream")
