"""The zeroconf announcement Home Assistant discovers: ``_positive-energy._tcp.local.``."""

from __future__ import annotations

import logging
import socket
from typing import Any

from zeroconf import IPVersion, ServiceInfo
from zeroconf.asyncio import AsyncZeroconf

from hardware_bridge import __version__

_LOGGER = logging.getLogger(__name__)
SERVICE_TYPE = "_positive-energy._tcp.local."


def service_info(device_id: str, host: str, port: int) -> ServiceInfo:
    """The record: the device id and version in TXT, so a client knows whom it found."""
    addresses = [socket.inet_aton(host)] if host not in ("0.0.0.0", "") else None  # noqa: S104
    return ServiceInfo(
        SERVICE_TYPE,
        f"Positive Energy Bridge {device_id}.{SERVICE_TYPE}",
        port=port,
        addresses=addresses,
        properties={"device_id": device_id, "version": __version__, "api": "1"},
        server=f"pew-{device_id}.local.",
    )


class Announcer:
    """Registers the service while the bridge runs; a network without multicast is not fatal."""

    def __init__(self, device_id: str, host: str, port: int) -> None:
        self.info = service_info(device_id, host, port)
        self._host = host
        self._zeroconf: AsyncZeroconf | None = None
        self.error: str | None = None

    async def start(self) -> None:
        options: dict[str, Any] = {"ip_version": IPVersion.V4Only}
        if self._host not in ("0.0.0.0", ""):  # noqa: S104
            options["interfaces"] = [self._host]
        try:
            self._zeroconf = AsyncZeroconf(**options)
            if self.info.addresses == []:
                self.info.addresses = [socket.inet_aton(address) for address in _own_addresses()]
            await self._zeroconf.async_register_service(self.info)
        except (OSError, RuntimeError, ValueError) as err:
            self.error = f"zeroconf announcement failed: {err}"
            _LOGGER.warning("%s (Home Assistant can still be pointed at it by hand)", self.error)

    async def stop(self) -> None:
        if self._zeroconf is None:
            return
        try:
            await self._zeroconf.async_unregister_service(self.info)
        except (OSError, RuntimeError, KeyError) as err:
            _LOGGER.debug("zeroconf unregister: %s", err)
        await self._zeroconf.async_close()


def _own_addresses() -> list[str]:
    """The IPv4 addresses zeroconf listens on, loopback last resort."""
    import ifaddr  # noqa: PLC0415  (zeroconf's own dependency)

    found = [
        str(ip.ip)
        for adapter in ifaddr.get_adapters()
        for ip in adapter.ips
        if isinstance(ip.ip, str) and not ip.ip.startswith("127.")
    ]
    return found or ["127.0.0.1"]
