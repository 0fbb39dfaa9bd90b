"""A small async client for the hardware bridge's API: the transport.

Requests go out with the bearer token; answers come back as the typed models of ``models.py``,
refusals as the errors of ``errors.py``. HACS installs only this folder, so the client lives
here; it uses Home Assistant's shared aiohttp session but nothing else of Home Assistant.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from dataclasses import asdict
from datetime import datetime
from typing import Any

import aiohttp

from .errors import (
    BridgeAuthError,
    BridgeConnectionError,
    BridgeRefusedError,
    NotABridgeError,
)
from .models import (
    BridgeDevice,
    BridgeState,
    Deadbands,
    Health,
    LowVoltage,
    Schedule,
    WorkerStatus,
    parse,
)

PREFIX = "/api/v1"
TIMEOUT = aiohttp.ClientTimeout(total=15)


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
