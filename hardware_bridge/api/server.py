"""``hardware-bridge serve``: the service, the API and the announcement, until SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from hardware_bridge.api.app import create_app
from hardware_bridge.api.connections import (
    KEEPALIVE_TIMEOUT,
    ConnectionPool,
    Listener,
    descriptor_budget,
    listen,
)
from hardware_bridge.api.discovery import Announcer
from hardware_bridge.api.identity import load_or_create_device_id, load_or_create_token
from hardware_bridge.config.loader import load_config
from hardware_bridge.config.standin import write_throwaway_wallet
from hardware_bridge.runtime.datalock import DataDirLock
from hardware_bridge.runtime.opener import Simulate, open_hardware
from hardware_bridge.runtime.service import BridgeService

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class Api:
    """The API listening: aiohttp's runner behind the bridge's own listener."""

    runner: web.AppRunner
    listener: Listener

    @property
    def port(self) -> int:
        return self.listener.port

    async def close(self) -> None:
        self.listener.close()
        await self.runner.cleanup()


async def open_api(service: BridgeService, token: str, host: str, port: int) -> Api:
    """The API listening on ``host``:``port`` (0: a free port, in ``Api.port``)."""
    server = service.config.server
    connections = ConnectionPool(descriptor_budget(server.max_connections))
    runner = web.AppRunner(
        create_app(service, token, server.heartbeat, connections),
        access_log=None,
        keepalive_timeout=KEEPALIVE_TIMEOUT,
        # Never inflate a body (a 1 MB gzip bomb is a gigabyte), and never read what a handler
        # left unread (a stranger's body after its 401): api/app.py.
        auto_decompress=False,
        lingering_time=0,
    )
    await runner.setup()
    assert runner.server is not None
    return Api(runner, listen(connections, runner.server, host, port))


async def serve(
    *,
    config_file: Path | None,
    simulate: Simulate | None,
    data_dir: Path,
    host: str | None,
    port: int | None,
    zeroconf: bool | None,
) -> None:
    """Run the bridge until SIGTERM, SIGINT or SIGHUP (a closed terminal): each a clean stop."""
    # Handlers first: a stop asked for while starting (a supervisor, a test that has just seen the
    # listening line) still ends in a clean shutdown once the start is through, never a kill.
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        loop.add_signal_handler(sig, stop.set)
    with DataDirLock(data_dir):  # first: a second bridge stops before it touches anything
        config = load_config(config_file, standin_dir=data_dir if simulate is not None else None)
        serve = config.serve
        server = serve.server
        host = server.host if host is None else host
        port = server.port if port is None else port
        token, created = load_or_create_token(data_dir)
        if created:
            # Printed once, on first start only; afterwards it is in the file (mode 0600).
            print(f"API token (shown once; also in {data_dir / 'token'}): {token}", flush=True)
        device_id = load_or_create_device_id(data_dir)
        write_throwaway_wallet(serve.worker, data_dir)
        with open_hardware(
            wiring=config.hardware, simulate=simulate, data_dir=data_dir
        ) as hardware:
            service = BridgeService(
                hardware,
                serve,
                data_dir=data_dir,
                device_id=device_id,
                scenario=None if simulate is None else simulate.scenario,
            )
            await service.start()
            api = await open_api(service, token, host, port)
            bound = api.port
            announcer = Announcer(device_id, host, bound)
            if server.zeroconf if zeroconf is None else zeroconf:
                await announcer.start()
            print(f"hardware-bridge {device_id} listening on http://{host}:{bound}", flush=True)
            try:
                await stop.wait()
            finally:
                _LOGGER.info("stopping")
                await announcer.stop()
                await api.close()
                await service.stop()
    print("hardware-bridge stopped", file=sys.stderr, flush=True)
