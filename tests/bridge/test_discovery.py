"""The zeroconf announcement, browsed for real on loopback."""

from __future__ import annotations

import asyncio

import pytest
from zeroconf import IPVersion, ServiceStateChange
from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf

from hardware_bridge.api.discovery import SERVICE_TYPE
from tests.support.bridge import BridgeProcess
from tests.support.machine import MULTICAST_INTERFACE

pytestmark = [pytest.mark.usefixtures("socket_enabled"), pytest.mark.xdist_group("zeroconf")]


async def browse(seconds=10.0):
    zeroconf = AsyncZeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
    names: asyncio.Queue[str] = asyncio.Queue()

    def changed(zeroconf, service_type, name, state_change):
        if state_change is ServiceStateChange.Added:
            names.put_nowait(name)

    browser = AsyncServiceBrowser(zeroconf.zeroconf, SERVICE_TYPE, handlers=[changed])
    try:
        async with asyncio.timeout(seconds):
            while True:
                name = await names.get()
                info = AsyncServiceInfo(SERVICE_TYPE, name)
                if await info.async_request(zeroconf.zeroconf, 3000):
                    yield info
    finally:
        await browser.async_cancel()
        await zeroconf.async_close()


@pytest.mark.emulator_lacks(MULTICAST_INTERFACE)
async def test_home_assistant_can_discover_the_bridge(tmp_path, bridges):
    bridge = BridgeProcess(tmp_path / "data", zeroconf=True).start()
    bridges.append(bridge)
    device_id = (tmp_path / "data" / "device_id").read_text().strip()
    async for info in browse():
        if info.decoded_properties.get("device_id") == device_id:
            break
    assert info.port == bridge.port
    assert info.parsed_addresses() == ["127.0.0.1"]
    assert info.decoded_properties == {"device_id": device_id, "version": "0.1.0", "api": "1"}
