"""The hardware bridge on simulated hardware, serving its API on loopback."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from tests.support.bridge import BridgeProcess, write_config

from .dashboard import SimulatedClock
from .engine import WORKER_NAME
from .settings import DemoSettings

# The stand-in worker's tasks: long enough to watch one run, short enough to see several finish.
TASK_SECONDS = 20
IDLE_SECONDS = 3
DRAIN_TIMEOUT = 60


def simulated_clock(bridge: BridgeProcess, speed: float) -> SimulatedClock:
    """The bridge's simulated clock, read from its state (the Witty Pi's clock, in UTC)."""
    request = urllib.request.Request(
        f"{bridge.url}/api/v1/state", headers={"Authorization": f"Bearer {bridge.token}"}
    )
    real = time.time()
    with urllib.request.urlopen(request, timeout=10) as reply:
        rtc = datetime.fromisoformat(json.loads(reply.read())["witty_pi"]["rtc_time"])
    if rtc.tzinfo is None:
        rtc = rtc.replace(tzinfo=UTC)
    return SimulatedClock(real, rtc.timestamp(), speed)


@contextmanager
def hardware_bridge(settings: DemoSettings, docker_url: str) -> Iterator[BridgeProcess]:
    """A started bridge; stopped (SIGTERM: within seconds, never waiting for a drain) at the end."""
    directory = settings.directory
    directory.mkdir(parents=True, exist_ok=True)
    config = write_config(
        directory / "bridge.toml",
        docker_url=docker_url,
        tmp=directory,
        worker={
            "name": WORKER_NAME,
            "drain_timeout": DRAIN_TIMEOUT,
            "poll_interval": 1,
            "environment": {
                "STANDIN_TASK_SECONDS": str(TASK_SECONDS),
                "STANDIN_IDLE_SECONDS": str(IDLE_SECONDS),
            },
        },
    )
    clock = ("--sim-start", settings.start, "--sim-speed", str(settings.speed))
    bridge = BridgeProcess(
        directory / "bridge",
        config=config,
        scenario=settings.scenario,
        port=settings.bridge_port,
        clock=clock,
    )
    try:
        yield bridge.start()
    finally:
        bridge.stop()
