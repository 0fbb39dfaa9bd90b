"""The aiohttp application: REST under /api/v1, the event WebSocket, auth and error mapping.

Every route but ``health`` needs ``Authorization: Bearer <token>``. Errors are JSON
``{"error": code, "message": text}`` with a status that says whose fault it is: 400 for a bad
request, 401 for a missing or wrong token, 409 when a guard or the worker's state refuses, 413
for a body over ``MAX_BODY``, 503 when the hardware or the Docker engine does not answer or the
event subscribers are at their limit. A 500 would be a bug.

Bodies and WebSocket messages go through ``strict_json`` before a handler sees them, and every
document goes out as standard JSON (no NaN, no Infinity). Nothing of a body is read before the
token is checked, and a body is never inflated: a compressed one is a 415 (the server is set up
not to decompress, and not to read what a handler left unread: ``api/server.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from importlib import resources
from typing import Any, Final

import voluptuous as vol
from aiohttp import WSCloseCode, WSMsgType, hdrs, web
from aiohttp.http_exceptions import HttpProcessingError

from hardware_bridge import __version__
from hardware_bridge.api import schemas
from hardware_bridge.api.connections import ConnectionPool
from hardware_bridge.api.deadband import DEFAULT_DEADBANDS, changed, flatten
from hardware_bridge.base import strict_json
from hardware_bridge.base.errors import (
    BridgeError,
    ConfigError,
    InvalidSettingError,
    NotSampledError,
    ReadingError,
)
from hardware_bridge.base.wire import to_json
from hardware_bridge.guards import GuardRefusalError
from hardware_bridge.hardware.readings import WittyPiReading
from hardware_bridge.runtime import documents
from hardware_bridge.runtime.documents import ErrorDocument, Health, StateDocument
from hardware_bridge.runtime.logsecrets import redact_secrets, remove_filter
from hardware_bridge.runtime.logthrottle import Throttles, throttle
from hardware_bridge.runtime.service import BridgeService
from hardware_bridge.worker.engine import (
    EngineUnavailableError,
    PlatformMismatchError,
    WorkerError,
)

_LOGGER = logging.getLogger(__name__)
PREFIX = "/api/v1"
PUBLIC = frozenset({f"{PREFIX}/health"})
SERVICE: web.AppKey[BridgeService] = web.AppKey("service", BridgeService)
TOKEN: web.AppKey[str] = web.AppKey("token", str)
HEARTBEAT: web.AppKey[float] = web.AppKey("heartbeat", float)
# Every body and message the API takes is a small JSON object: room enough, and a bound.
MAX_BODY: Final = 64 * 1024
UTF8: Final = frozenset({"utf-8", "utf8"})  # RFC 8259: JSON exchanged between systems is UTF-8


class OpenSockets:
    """The event subscribers connected now."""

    def __init__(self) -> None:
        self.sockets: set[web.WebSocketResponse] = set()


SOCKETS: web.AppKey[OpenSockets] = web.AppKey("sockets", OpenSockets)
CONNECTIONS: web.AppKey[ConnectionPool] = web.AppKey("connections", ConnectionPool)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def respond(document: object, status: int = 200) -> web.Response:
    """A typed document as a JSON response, in standard JSON: a NaN that slipped in fails here,
    not in a client."""
    return web.json_response(to_json(document), status=status, dumps=strict_json.dumps)


def error(status: int, code: str, message: str) -> web.Response:
    return respond(ErrorDocument(error=code, message=message), status=status)


# Most specific first: the first match gives the status and the error code.
ERRORS: tuple[tuple[type[Exception], int, str], ...] = (
    (vol.Invalid, 400, "invalid_request"),
    (InvalidSettingError, 400, "invalid_setting"),
    (GuardRefusalError, 409, "refused_by_guard"),
    (EngineUnavailableError, 503, "docker_unavailable"),
    (PlatformMismatchError, 409, "platform_mismatch"),
    (WorkerError, 409, "worker_error"),
    (ReadingError, 503, "hardware_unavailable"),
    (NotSampledError, 503, "hardware_unavailable"),
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
        # aiohttp's own text when it says more than the status line (a 413's limit, say).
        text = exc.text
        message = exc.reason if text is None or text == f"{exc.status}: {exc.reason}" else text
        response = error(exc.status, exc.reason.lower().replace(" ", "_"), message)
        # What the exception says besides its body: a 405's Allow, above all.
        for name, value in exc.headers.items():
            if name.lower() not in ("content-type", "content-length"):
                response.headers.add(name, value)
        return response
    except Exception as err:
        for kind, status, code in ERRORS:
            if isinstance(err, kind):
                return error(status, code, str(err))
        _LOGGER.exception("unexpected error in %s %s", request.method, request.path)
        return error(500, "internal_error", "unexpected error: see the bridge's log")


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Bearer token on everything but health, before anything of the body is read."""
    trusted = _authorized(request.app[TOKEN], request)
    request.app[CONNECTIONS].requested(request.protocol, trusted=trusted)
    if trusted or request.path in PUBLIC:
        return await handler(request)
    response = error(401, "unauthorized", "missing or wrong bearer token")
    response.headers[hdrs.WWW_AUTHENTICATE] = 'Bearer realm="hardware-bridge"'
    # A stranger's connection ends with its answer: whatever body it sent is never read.
    response.force_close()
    return response


def _authorized(token: str, request: web.Request) -> bool:
    """``Authorization: Bearer <token>``, the scheme in any case (RFC 7235), the token compared
    in constant time. Nothing matches an empty token: the bridge never serves without one."""
    scheme, _, given = request.headers.get(hdrs.AUTHORIZATION, "").strip(" ").partition(" ")
    given = given.lstrip(" ")
    # A header that is not ASCII (aiohttp keeps undecodable bytes as surrogates) is no token.
    if not token or not given.isascii() or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.encode(), token.encode())


async def body(request: web.Request, schema: vol.Schema) -> dict[str, Any]:
    """The JSON body, validated; an empty body counts as ``{}``."""
    if not request.can_read_body:
        return schemas.validate(schema, {})
    charset = request.charset
    if charset is not None and charset.lower() not in UTF8:
        raise vol.Invalid(f"the body must be UTF-8 JSON, not charset {charset!r}")
    encoding = request.headers.get(hdrs.CONTENT_ENCODING, "identity").strip().lower()
    if encoding != "identity":
        # A body of a few hundred bytes needs no compression, and an inflated one is the cost
        # a bomb would impose: refused unread.
        raise web.HTTPUnsupportedMediaType(
            text=f"Content-Encoding {encoding!r} is not accepted: send the JSON uncompressed"
        )
    try:
        raw = await request.read()  # over MAX_BODY: aiohttp's 413
    except (ConnectionError, HttpProcessingError) as err:
        raise web.HTTPBadRequest(text=f"the body did not arrive whole: {err}") from None
    try:
        data = strict_json.loads(raw)
    except strict_json.JsonError as err:
        raise vol.Invalid(f"the body is not acceptable: {err}") from None
    return schemas.validate(schema, data)


async def health(_request: web.Request) -> web.Response:
    return respond(Health(status="ok", version=__version__))


async def device(request: web.Request) -> web.Response:
    return respond(request.app[SERVICE].device_info())


async def state(request: web.Request) -> web.Response:
    return respond(request.app[SERVICE].state())


async def worker(request: web.Request) -> web.Response:
    return respond(request.app[SERVICE].worker.status())


async def worker_start(request: web.Request) -> web.Response:
    await body(request, schemas.WORKER_START)
    service = request.app[SERVICE]
    await service.start_worker()
    return respond(service.worker.status())


async def worker_stop(request: web.Request) -> web.Response:
    options = await body(request, schemas.WORKER_STOP)
    service = request.app[SERVICE]
    await service.stop_worker(drain=options["drain"], grace=options.get("timeout"))
    return respond(service.worker.status(), status=202 if options["drain"] else 200)


def _witty(service: BridgeService) -> WittyPiReading:
    witty = service.snapshot.witty_pi if service.snapshot else None
    if witty is None:
        raise ConfigError("no Witty Pi reading: none is configured, or it does not answer")
    return witty


async def schedule_get(request: web.Request) -> web.Response:
    return respond(documents.schedule(_witty(request.app[SERVICE])))


async def schedule_put(request: web.Request) -> web.Response:
    wanted = await body(request, schemas.SCHEDULE)
    service = request.app[SERVICE]
    await service.schedule(wanted["next_startup"], wanted["next_shutdown"])
    return respond(documents.schedule(_witty(service)))


async def low_voltage_get(request: web.Request) -> web.Response:
    return respond(documents.low_voltage(_witty(request.app[SERVICE])))


async def low_voltage_put(request: web.Request) -> web.Response:
    service = request.app[SERVICE]
    witty = _witty(service)
    wanted = await body(request, schemas.low_voltage(witty.model))
    recovery = wanted.get("recovery", witty.recovery_voltage)
    await service.set_low_voltage(wanted["threshold"], recovery)
    return respond(documents.low_voltage(_witty(service)))


async def openapi(_request: web.Request) -> web.Response:
    text = resources.files("hardware_bridge.api").joinpath("openapi.json").read_text()
    return web.Response(text=text, content_type="application/json")


async def events(request: web.Request) -> web.StreamResponse:
    """Push the state on connect, then each change beyond the deadbands, and heartbeats."""
    service = request.app[SERVICE]
    sockets = request.app[SOCKETS].sockets
    limit = service.config.server.max_event_sockets
    # Each subscriber holds a descriptor for as long as it likes: without a limit, enough of
    # them take every descriptor the bridge has, and the counters can no longer be saved.
    if len(sockets) >= limit:
        return error(
            503,
            "too_many_subscribers",
            f"{limit} event subscribers are connected, the most this bridge serves at once",
        )
    ws = web.WebSocketResponse(max_msg_size=MAX_BODY)
    sockets.add(ws)  # before the handshake's first await: its place is taken from now on
    queue = service.publisher.subscribe()
    deadbands = dict(DEFAULT_DEADBANDS)
    pusher: asyncio.Task[None] | None = None
    try:
        await ws.prepare(request)
        pusher = asyncio.create_task(_push(ws, service, queue, deadbands, request.app[HEARTBEAT]))
        # Reading is what sees a client hang up at once, and frees its place at once.
        await _read_client(ws, deadbands)
    finally:
        sockets.discard(ws)
        service.publisher.unsubscribe(queue)
        if pusher is not None:
            pusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pusher
            await ws.close()
    return ws


async def _push(
    ws: web.WebSocketResponse,
    service: BridgeService,
    queue: asyncio.Queue[StateDocument],
    deadbands: dict[str, float],
    heartbeat: float,
) -> None:
    """The state, then each change beyond the deadbands, and a heartbeat when nothing changes."""
    try:
        current = to_json(service.state())
        sent = flatten(current)
        await _send(ws, {"type": "state", "data": current, "changed": sorted(sent)})
        while not ws.closed:
            try:
                current = to_json(await asyncio.wait_for(queue.get(), heartbeat))
            except TimeoutError:
                await _send(ws, {"type": "heartbeat", "time": time.time()})
                continue
            new = flatten(current)
            paths = changed(sent, new, deadbands)
            if paths:
                sent.update({p: new[p] for p in paths if p in new})
                await _send(ws, {"type": "state", "data": current, "changed": paths})
    except (ConnectionResetError, RuntimeError) as err:
        _LOGGER.debug("event client went away: %s", err)  # a client may hang up at any time


async def _send(ws: web.WebSocketResponse, message: dict[str, Any]) -> None:
    await ws.send_json(message, dumps=strict_json.dumps)


async def _read_client(ws: web.WebSocketResponse, deadbands: dict[str, float]) -> None:
    """A client may set its own deadbands: ``{"type": "subscribe", "deadbands": {...}}``."""
    level = logging.INFO  # the first choice; later ones at DEBUG: a client may send thousands
    async for message in ws:
        if message.type != WSMsgType.TEXT:
            continue
        try:
            request = strict_json.loads(message.data)
            wanted = request.get("deadbands", {}) if request.get("type") == "subscribe" else {}
            if not isinstance(wanted, Mapping):
                raise TypeError("deadbands must be an object")
            for name, value in wanted.items():
                if name not in DEFAULT_DEADBANDS or not isinstance(value, int | float) or value < 0:
                    raise ValueError(f"unknown deadband or bad value: {name}={value!r}")
            deadbands.update(wanted)
            # Logged so that a client's choice (Home Assistant's options) can be seen arriving.
            _LOGGER.log(level, "event subscriber's deadbands: %s", _named(deadbands))
            level = logging.DEBUG
        except (ValueError, TypeError, AttributeError) as err:
            _LOGGER.warning("event subscription ignored: %s", err)
            await _send(ws, {"type": "error", "message": f"ignored: {err}"})


def _named(deadbands: Mapping[str, float]) -> str:
    return " ".join(f"{name}={value}" for name, value in sorted(deadbands.items()))


async def _close_sockets(app: web.Application) -> None:
    """On shutdown, say goodbye to subscribers instead of waiting for them to hang up."""
    for ws in list(app[SOCKETS].sockets):
        if ws.prepared:  # one still in its handshake has nobody to say it to yet
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"bridge stopping")


async def _log_filters(app: web.Application) -> AsyncIterator[None]:
    """While the API serves: no secret in a log line, and the same warning or error at most
    once a minute (the count of what was left out at least as often)."""
    handlers = list(logging.getLogger().handlers)
    throttles = throttle(handlers)
    redactor = redact_secrets(handlers, app[TOKEN])  # after the throttle: it counts lines as sent
    flusher = asyncio.create_task(_flush_every(throttles, 60.0))
    yield
    flusher.cancel()
    throttles.remove()
    remove_filter(handlers, redactor)


async def _flush_every(throttles: Throttles, seconds: float) -> None:
    while True:
        await asyncio.sleep(seconds)
        throttles.flush()


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


def create_app(
    service: BridgeService,
    token: str,
    heartbeat: float = 10.0,
    connections: ConnectionPool | None = None,
) -> web.Application:
    """The API of one bridge; ``token`` must not be empty. ``connections``: the pool the
    server's connections go through (``api/server.py``), told which ones carried the token."""
    if not token:
        raise ValueError("the API needs a token: it never serves without one")
    app = web.Application(
        middlewares=[errors_middleware, auth_middleware], client_max_size=MAX_BODY
    )
    app[SOCKETS] = OpenSockets()
    # Without a pool (an app served another way, a test's server) there is nothing to count.
    app[CONNECTIONS] = connections or ConnectionPool(limit=0)
    # aiohttp 3.11 types its signals for an older aiosignal: the call is right, the stub is not.
    app.on_shutdown.append(_close_sockets)  # type: ignore[arg-type]
    app.cleanup_ctx.append(_log_filters)
    app[SERVICE] = service
    app[TOKEN] = token
    app[HEARTBEAT] = heartbeat
    app.router.add_routes(ROUTES)
    return app
