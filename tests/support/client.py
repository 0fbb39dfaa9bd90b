"""Small async helpers to drive a bridge over HTTP in tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import aiohttp

from hardware_bridge.api.app import PREFIX
from tests.support.bridge import BridgeProcess


async def request(
    bridge: BridgeProcess, method: str, path: str, body: Any = None
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {bridge.token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, f"{bridge.url}{PREFIX}{path}", headers=headers, json=body) as reply,
    ):
        return reply.status, await reply.json()


async def wait_for(
    bridge: BridgeProcess,
    predicate: Callable[[dict[str, Any]], bool],
    what: str,
    seconds: float = 30.0,
) -> dict[str, Any]:
    """Poll the state until ``predicate`` holds; fail naming ``what`` and the last state."""
    state: dict[str, Any] = {}
    try:
        async with asyncio.timeout(seconds):
            while True:
                _, state = await request(bridge, "GET", "/state")
                if predicate(state):
                    return state
                await asyncio.sleep(0.2)
    except TimeoutError:
        raise AssertionError(
            f"waited {seconds} s for {what}; worker: {state.get('worker')}, "
            f"degraded: {state.get('degraded')}"
        ) from None


async def until(predicate: Callable[[], bool], what: str, seconds: float = 30.0) -> None:
    """Wait for ``predicate`` (checked every 0.1 s); fail naming ``what``."""
    try:
        async with asyncio.timeout(seconds):
            while not predicate():
                await asyncio.sleep(0.1)
    except TimeoutError:
        raise AssertionError(f"waited {seconds} s for {what}") from None
