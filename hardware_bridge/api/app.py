"""The aiohttp application: REST under /api/v1, the event WebSocket, auth and error mapping.

Every route but ``health`` needs ``Authorization: Bearer <token>``. Errors are JSON
``{"error": code, "message": text}`` with a status that says whose fault it is: 400 for a bad
request, 401 for a missing or wrong token, 409 when a guard or the worker's state refuses, 503
when the hardware or the Docker engine does not answer. A 500 would be a bug.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from importlib import resources
from typing import Any

import voluptuous as vol
from aiohttp import WSCloseCode, WSMsgType, web

from hardware_bridge import __version__
from hardware_bridge.api import schemas
from hardware_bridge.api.deadband import DEFAULT_DEADBANDS, changed, flatten
from hardware_bridge.errors import BridgeError, ConfigError, InvalidSettingError, ReadingError
from hardware_bridge.guards import GuardRefusalError
from hardware_bridge.service import BridgeService
from hardware_bridge.worker.engine import EngineUnavailableError, WorkerError

_LOGGER = logging.getLogger(__name__)
PREFIX = "/api/v1"
PUBLIC = frozenset({f"{PREFIX}/health"})
SERVICE: web.AppKey[BridgeService] = web.AppKey("service", BridgeService)
TOKEN: web.AppKey[str] = web.AppKey("token", str)
HEARTBEAT: web.AppKey[float] = web.AppKey("heartbeat", float)


class OpenSockets:
    """The event subscribers connected now."""

    def __init__(self) -> None:
        self.sockets: set[web.WebSocketResponse] = set()


SOCKETS: web.AppKey[OpenSockets] = web.AppKey("sockets", OpenSockets)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": code, "message": message}, status=status)


# Most specific first: the first match gives the status and the error code.
ERRORS: tuple[tuple[type[Exception], int, str], ...] = (
    (vol.Invalid, 400, "invalid_request"),
    (InvalidSettingError, 400, "invalid_setting"),
    (GuardRefusalError, 409, "refused_by_guard"),
    (EngineUnavailableError, 503, "docker_unavailable"),
    (WorkerError, 409, "worker_error"),
    (ReadingError, 503, "hardware_unavailable"),
    (ConfigError, 503, "hardware_unavailable"),
    (BridgeError, 409, "refused"),
)


@web.middleware
async def errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn every failure into a JSON error with the right status."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return error(exc.status, exc.reason.lower().replace(" ", "_"), exc.reason)
    except Exception as err:
        for kind, status, code in ERRORS:
            if isinstance(err, kind):
                return error(status, code, str(err))
        _LOGGER.exception("unexpected error in %s %s", request.method, request.path)
        return error(500, "internal_error", "unexpected error: see the bridge's log")


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Bearer token on everything but health, compared in constant time."""
    if request.path in PUBLIC:
        return await handler(request)
    expected = f"Bearer {request.app[TOKEN]}".encode()
    given = request.headers.get("Authorization", "").encode()
    if not hmac.compare_digest(given, expected):
        response = error(401, "unauthorized", "missing or wrong bearer token")
        response.headers["WWW-Authenticate"] = 'Bearer realm="hardware-bridge"'
        return response
    return await handler(request)


async def body(request: web.Request, schema: vol.Schema) -> dict[str, Any]:
    """The JSON body, validated; an empty body counts as ``{}``."""
    if not request.can_read_body:
        return schemas.validate(schema, {})
    try:
        data = await request.json(loads=json.loads)
    except ValueError as err:
        raise vol.Invalid(f"the body is not valid JSON: {err}") from err
    return schemas.validate(schema, data)


async def health(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok", "version": __version__})


async def device(request: web.Request) -> web.Response:
    return web.json_response(request.app[SERVICE].device_info())


async def state(request: web.Request) -> web.Response:
    return web.json_response(request.app[SERVICE].state())


async def worker(request: web.Request) -> web.Response:
    return web.json_response(request.app[SERVICE].state()["worker"])


async def worker_start(request: web.Request) -> web.Response:
    await body(request, schemas.WORKER_START)
    service = request.app[SERVICE]
    await service.start_worker()
    return web.json_response(service.state()["worker"])


async def worker_stop(request: web.Request) -> web.Response:
    options = await body(request, schemas.WORKER_STOP)
    service = request.app[SERVICE]
    await service.stop_worker(drain=options["drain"], grace=options.get("timeout"))
    return web.json_response(service.state()["worker"], status=202 if options["drain"] else 200)


def _witty(service: BridgeService) -> dict[str, Any]:
    document = service.state().get("witty_pi")
    if document is None:
        raise ConfigError("no Witty Pi reading: none is configured, or it does not answer")
    witty: dict[str, Any] = document
    return witty


# What the Witty Pi endpoints show of the state's ``witty_pi`` reading: their name -> its name.
SCHEDULE_VIEW: Mapping[str, str] = {name: name for name in ("next_startup", "next_shutdown")}
LOW_VOLTAGE_VIEW: Mapping[str, str] = {
    "threshold": "low_voltage_threshold",
    "recovery": "recovery_voltage",
}


def _witty_view(service: BridgeService, view: Mapping[str, str]) -> web.Response:
    witty = _witty(service)
    return web.json_response({name: witty[key] for name, key in view.items()})


async def schedule_get(request: web.Request) -> web.Response:
    return _witty_view(request.app[SERVICE], SCHEDULE_VIEW)


async def schedule_put(request: web.Request) -> web.Response:
    wanted = await body(request, schemas.SCHEDULE)
    service = request.app[SERVICE]
    await service.schedule(wanted["next_startup"], wanted["next_shutdown"])
    return _witty_view(service, SCHEDULE_VIEW)


async def low_voltage_get(request: web.Request) -> web.Response:
    return _witty_view(request.app[SERVICE], LOW_VOLTAGE_VIEW)


async def low_voltage_put(request: web.Request) -> web.Response:
    wanted = await body(request, schemas.LOW_VOLTAGE)
    service = request.app[SERVICE]
    recovery = wanted.get("recovery", _witty(service)["recovery_voltage"])
    await service.set_low_voltage(wanted["threshold"], recovery)
    return _witty_view(service, LOW_VOLTAGE_VIEW)


async def openapi(_request: web.Request) -> web.Response:
    text = resources.files("hardware_bridge.api").joinpath("openapi.json").read_text()
    return web.Response(text=text, content_type="application/json")


async def events(request: web.Request) -> web.WebSocketResponse:
    """Push the state on connect, then each change beyond the deadbands, and heartbeats."""
    service = request.app[SERVICE]
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    request.app[SOCKETS].sockets.add(ws)
    queue = service.publisher.subscribe()
    deadbands = dict(DEFAULT_DEADBANDS)
    reader = asyncio.create_task(_read_client(ws, deadbands))
    try:
        current = service.state()
        sent = flatten(current)
        await ws.send_json({"type": "state", "data": current, "changed": sorted(sent)})
        while not ws.closed and not reader.done():
            try:
                current = await asyncio.wait_for(queue.get(), request.app[HEARTBEAT])
            except TimeoutError:
                await ws.send_json({"type": "heartbeat", "time": time.time()})
                continue
            new = flatten(current)
            paths = changed(sent, new, deadbands)
            if paths:
                sent.update({p: new[p] for p in paths if p in new})
                await ws.send_json({"type": "state", "data": current, "changed": paths})
    except (ConnectionResetError, RuntimeError) as err:
        _LOGGER.debug("event client went away: %s", err)  # a client may hang up at any time
    finally:
        request.app[SOCKETS].sockets.discard(ws)
        service.publisher.unsubscribe(queue)
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
        await ws.close()
    return ws


async def _read_client(ws: web.WebSocketResponse, deadbands: dict[str, float]) -> None:
    """A client may set its own deadbands: ``{"type": "subscribe", "deadbands": {...}}``."""
    async for message in ws:
        if message.type != WSMsgType.TEXT:
            continue
        try:
            request = json.loads(message.data)
            wanted = request.get("deadbands", {}) if request.get("type") == "subscribe" else {}
            if not isinstance(wanted, Mapping):
                raise TypeError("deadbands must be an object")
            for name, value in wanted.items():
                if name not in DEFAULT_DEADBANDS or not isinstance(value, int | float) or value < 0:
                    raise ValueError(f"unknown deadband or bad value: {name}={value!r}")
            deadbands.update(wanted)
            # Logged so that a client's choice (Home Assistant's options) can be seen arriving.
            _LOGGER.info("event subscriber's deadbands: %s", _named(deadbands))
        except (ValueError, TypeError, AttributeError) as err:
            _LOGGER.warning("event subscription ignored: %s", err)
            await ws.send_json({"type": "error", "message": f"ignored: {err}"})


def _named(deadbands: Mapping[str, float]) -> str:
    return " ".join(f"{name}={value}" for name, value in sorted(deadbands.items()))


async def _close_sockets(app: web.Application) -> None:
    """On shutdown, say goodbye to subscribers instead of waiting for them to hang up."""
    for ws in list(app[SOCKETS].sockets):
        await ws.close(code=WSCloseCode.GOING_AWAY, message=b"bridge stopping")


ROUTES = (
    web.get(f"{PREFIX}/health", health),
    web.get(f"{PREFIX}/device", device),
    web.get(f"{PREFIX}/state", state),
    web.get(f"{PREFIX}/worker", worker),
    web.post(f"{PREFIX}/worker/start", worker_start),
    web.post(f"{PREFIX}/worker/stop", worker_stop),
    web.get(f"{PREFIX}/witty_pi/schedule", schedule_get),
    web.put(f"{PREFIX}/witty_pi/schedule", schedule_put),
    web.get(f"{PREFIX}/witty_pi/low_voltage", low_voltage_get),
    web.put(f"{PREFIX}/witty_pi/low_voltage", low_voltage_put),
    web.get(f"{PREFIX}/openapi.json", openapi),
    web.get(f"{PREFIX}/events", events),
)


def create_app(service: BridgeService, token: str, heartbeat: float = 10.0) -> web.Application:
    """The API of one bridge."""
    app = web.Application(middlewares=[errors_middleware, auth_middleware])
    app[SOCKETS] = OpenSockets()
    # aiohttp 3.11 types its signals for an older aiosignal: the call is right, the stub is not.
    app.on_shutdown.append(_close_sockets)  # type: ignore[arg-type]
    app[SERVICE] = service
    app[TOKEN] = token
    app[HEARTBEAT] = heartbeat
    app.router.add_routes(ROUTES)
    return app
