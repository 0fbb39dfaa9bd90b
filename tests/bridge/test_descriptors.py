"""Out of file descriptors: the bridge keeps its subscribers within what it has, says when it
cannot save, and logs a storm of failed accepts as one line, not thousands.

Each bridge here runs with a small RLIMIT_NOFILE, so a hundred loopback connections are enough.
Every loop is bounded in count and time and closes what it opened.
"""

from __future__ import annotations

import asyncio
import contextlib

import aiohttp
import pytest

from hardware_bridge.api.app import PREFIX
from tests.support.bridge import bridge_without_docker
from tests.support.client import until

pytestmark = pytest.mark.usefixtures("socket_enabled")
SUBSCRIBERS = 64  # the default limit
ACCEPT_STORM = "socket.accept() out of system resource"


def start(tmp_path, bridges, max_open_files):
    bridge = bridge_without_docker(tmp_path, max_open_files=max_open_files)
    bridges.append(bridge)
    return bridge


async def get_state(session, bridge):
    headers = {"Authorization": f"Bearer {bridge.token}"}
    async with (
        asyncio.timeout(10),
        session.get(f"{bridge.url}{PREFIX}/state", headers=headers) as reply,
    ):
        assert reply.status == 200
        return await reply.json()


async def test_subscribers_beyond_the_limit_are_refused_before_they_take_every_descriptor(
    tmp_path, bridges
):
    # 96 descriptors: the limit's 64 sockets fit, 100 would not.
    bridge = start(tmp_path, bridges, max_open_files=96)
    headers = {"Authorization": f"Bearer {bridge.token}"}
    statuses = []
    async with aiohttp.ClientSession(
        headers=headers, connector=aiohttp.TCPConnector(force_close=True)
    ) as session:
        sockets = []
        try:
            for _ in range(100):
                try:
                    async with asyncio.timeout(5):
                        sockets.append(await session.ws_connect(f"{bridge.url}{PREFIX}/events"))
                    statuses.append(101)
                except aiohttp.WSServerHandshakeError as refused:
                    statuses.append(refused.status)
            assert statuses == [101] * SUBSCRIBERS + [503] * (100 - SUBSCRIBERS)
            # Still serving, and still saving the counters.
            saved = (bridge.data_dir / "power.json").read_bytes()
            state = await get_state(session, bridge)
            assert not {"power.json:save", "sample"} & set(state["degraded"])
            await until(
                lambda: (bridge.data_dir / "power.json").read_bytes() != saved, "a new save", 10
            )
        finally:
            for ws in sockets:
                await ws.close()


async def test_a_storm_of_failed_accepts_is_one_log_line_and_failed_saves_show(tmp_path, bridges):
    bridge = start(tmp_path, bridges, max_open_files=48)
    log_start = bridge.log.stat().st_size
    # One connection kept alive from before the storm: the only way in while it lasts.
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1)) as session:
        await get_state(session, bridge)
        idle = []
        try:
            # Connections that never send a byte: every descriptor goes, then accept() fails.
            for _ in range(100):
                idle.append(await asyncio.open_connection("127.0.0.1", bridge.port))
            await asyncio.sleep(3)
            state = await get_state(session, bridge)
            assert "Too many open files" in state["degraded"]["power.json:save"]
            storm = bridge.output(log_start)
            assert storm.count(ACCEPT_STORM) == 1, storm[-3000:]
        finally:
            for _, writer in idle:
                writer.close()
                with contextlib.suppress(ConnectionError):
                    await writer.wait_closed()

        async def recovered():
            state = await get_state(session, bridge)
            return "power.json:save" not in state["degraded"]

        async with asyncio.timeout(15):
            while not await recovered():
                await asyncio.sleep(0.5)
    assert bridge.output(log_start).count(ACCEPT_STORM) == 1
