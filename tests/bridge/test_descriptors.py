"""Out of file descriptors: the bridge keeps its connections within what it has, so the counters
are saved and the owner served whatever strangers hold open, and a gzip bomb costs nothing.

Each bridge here runs with a set RLIMIT_NOFILE (a Pi's services get 1,024 by default). Every loop
is bounded in count and time and closes what it opened.
"""

from __future__ import annotations

import asyncio
import contextlib

import aiohttp
import pytest

from hardware_bridge.api.app import PREFIX
from tests.support.bridge import bridge_without_docker
from tests.support.client import until
from tests.support.hostile import exchange, gzip_bomb, status_of

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
    # 128 descriptors, 32 of them the bridge's own: the limit's 64 sockets fit, 100 would not.
    bridge = start(tmp_path, bridges, max_open_files=128)
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


async def close_all(connections):
    for _, writer in connections:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def saved_again(bridge):
    saved = (bridge.data_dir / "power.json").read_bytes()
    await until(lambda: (bridge.data_dir / "power.json").read_bytes() != saved, "a new save", 10)


async def test_idle_strangers_cannot_take_the_descriptors_the_counters_need(tmp_path, bridges):
    # Before: 100 connections that never sent a byte took all 48 descriptors; every save failed
    # and accept() failed in a storm until they hung up.
    bridge = start(tmp_path, bridges, max_open_files=48)
    log_start = bridge.log.stat().st_size
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1)) as owner:
        await get_state(owner, bridge)  # its connection showed the token: never pushed out
        idle = []
        try:
            # From the strangers' machine (127.0.0.2). A newcomer from their own address may be
            # closed at once while their share of the places is all new (README: a flood from
            # the owner's address can delay the owner's new connections): under the emulator,
            # the bridge still took the flood from its backlog when the newcomer came.
            for _ in range(100):
                idle.append(
                    await asyncio.open_connection(
                        "127.0.0.1", bridge.port, local_addr=("127.0.0.2", 0)
                    )
                )
            await saved_again(bridge)
            state = await get_state(owner, bridge)
            assert not {"power.json:save", "sample"} & set(state["degraded"])
            async with aiohttp.ClientSession() as newcomer:  # served, whatever they hold
                await get_state(newcomer, bridge)
        finally:
            await close_all(idle)
    assert ACCEPT_STORM not in bridge.output(log_start)


async def test_a_stranger_that_sends_nothing_is_let_go(tmp_path, bridges):
    # Before: a connection that never sent a request was kept for ever.
    bridge = start(tmp_path, bridges, max_open_files=256)
    reader, writer = await asyncio.open_connection("127.0.0.1", bridge.port)
    try:
        async with asyncio.timeout(30):
            assert await reader.read() == b""  # closed by the bridge, unanswered
    finally:
        writer.close()


BOMB_HEAD = (
    b"POST /api/v1/worker/stop HTTP/1.1\r\nHost: bridge\r\nContent-Type: application/json\r\n"
    b"Content-Encoding: gzip\r\nContent-Length: %d\r\n\r\n"
)


async def test_a_thousand_idle_strangers_and_gzip_bombs_leave_the_counters_and_the_owner_served(
    tmp_path, bridges
):
    # Before: 1,200 idle connections stopped the counters' saves (no descriptor left), and a
    # 1 MB gzip body without a token was inflated to hundreds of MB before the 401.
    bridge = start(tmp_path, bridges, max_open_files=1024)
    bomb = gzip_bomb(1024)  # 1 MB that inflates to 1 GiB
    log_start = bridge.log.stat().st_size
    rss_before = bridge.memory_mib("VmHWM")
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1)) as owner:
        await get_state(owner, bridge)
        idle = []
        try:
            # The stranger's machine (127.0.0.2), then another one's bombs (127.0.0.3); the owner
            # is at 127.0.0.1.
            for _ in range(1200):
                idle.append(
                    await asyncio.open_connection(
                        "127.0.0.1", bridge.port, local_addr=("127.0.0.2", 0)
                    )
                )
            answers = await asyncio.gather(
                *(
                    exchange(bridge.port, BOMB_HEAD % len(bomb), bomb, source="127.0.0.3")
                    for _ in range(4)
                )
            )
            assert [status_of(answer) for answer in answers] == [401] * 4
            await saved_again(bridge)
            state = await get_state(owner, bridge)
            assert not {"power.json:save", "sample"} & set(state["degraded"])
            async with aiohttp.ClientSession() as newcomer:
                await get_state(newcomer, bridge)
        finally:
            await close_all(idle)
    # Every idle connection and four bombs cost less than the bridge's whole footprint.
    assert bridge.memory_mib("VmHWM") - rss_before < 32
    assert ACCEPT_STORM not in bridge.output(log_start)
