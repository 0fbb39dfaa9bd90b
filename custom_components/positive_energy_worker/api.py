"""A small async client for the hardware bridge's API (its OpenAPI document is the contract).

HACS installs only this folder, so the client lives here; it uses Home Assistant's shared aiohttp
session. Every failure becomes one of four errors the integration maps to its own behaviour.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import Any

import aiohttp

PREFIX = "/api/v1"
TIMEOUT = aiohttp.ClientTimeout(total=15)


class BridgeError(Exception):
    """Base of the client's errors."""


class BridgeConnectionError(BridgeError):
    """The bridge does not answer (down, rebooting, wrong address)."""


class BridgeAuthError(BridgeError):
    """The token was refused."""


class NotABridgeError(BridgeError):
    """Something answered, but it is not a hardware bridge."""


class BridgeRefusedError(BridgeError):
    """The bridge understood and refused (a guard, a bad value, the worker's state)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


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

    async def _request(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
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
                    document = await reply.json(content_type=None)
                except ValueError as err:
                    raise NotABridgeError(f"{path} did not answer JSON") from err
                if reply.status >= 400:
                    if not isinstance(document, dict) or "error" not in document:
                        raise NotABridgeError(f"{path} answered {reply.status}")
                    raise BridgeRefusedError(
                        reply.status, document["error"], document.get("message", "")
                    )
                return document
        except (TimeoutError, aiohttp.ClientError) as err:
            raise BridgeConnectionError(f"cannot reach {self.base_url}: {err}") from err

    async def health(self) -> dict[str, Any]:
        """``{"status": "ok", "version": ...}``; NotABridgeError for anything else."""
        try:
            document = await self._request("GET", "/health")
        except BridgeRefusedError as err:
            raise NotABridgeError(f"health answered {err.status}") from err
        if not isinstance(document, dict) or document.get("status") != "ok":
            raise NotABridgeError("health did not answer like a bridge")
        return document

    async def device(self) -> dict[str, Any]:
        result: dict[str, Any] = await self._request("GET", "/device")
        return result

    async def state(self) -> dict[str, Any]:
        result: dict[str, Any] = await self._request("GET", "/state")
        return result

    async def start_worker(self) -> dict[str, Any]:
        result: dict[str, Any] = await self._request("POST", "/worker/start")
        return result

    async def stop_worker(self, *, drain: bool = True, grace: float | None = None) -> Any:
        """Drain (the running task may take ``grace`` seconds) or stop at once."""
        body: dict[str, Any] = {"drain": drain}
        if grace is not None:
            body["timeout"] = grace
        return await self._request("POST", "/worker/stop", body)

    async def set_schedule(self, startup: datetime | None, shutdown: datetime | None) -> Any:
        return await self._request(
            "PUT",
            "/witty_pi/schedule",
            {
                "next_startup": startup.isoformat() if startup else None,
                "next_shutdown": shutdown.isoformat() if shutdown else None,
            },
        )

    async def set_low_voltage(self, threshold: float | None) -> Any:
        return await self._request("PUT", "/witty_pi/low_voltage", {"threshold": threshold})

    async def events(self, deadbands: Mapping[str, float]) -> AsyncIterator[dict[str, Any]]:
        """The bridge's pushed states, until the connection ends (then BridgeConnectionError)."""
        try:
            async with self._session.ws_connect(
                f"{self.base_url}/events", headers=self._headers, heartbeat=30
            ) as ws:
                await ws.send_json({"type": "subscribe", "deadbands": dict(deadbands)})
                async for message in ws:
                    if message.type != aiohttp.WSMsgType.TEXT:
                        break
                    document = message.json()
                    if document.get("type") == "state":
                        yield document["data"]
        except aiohttp.WSServerHandshakeError as err:
            if err.status == 401:
                raise BridgeAuthError("the bridge refused the token") from err
            raise BridgeConnectionError(f"event stream refused: {err.status}") from err
        except (TimeoutError, aiohttp.ClientError, asyncio.IncompleteReadError) as err:
            raise BridgeConnectionError(f"event stream lost: {err}") from err
        raise BridgeConnectionError("the bridge closed the event stream")
