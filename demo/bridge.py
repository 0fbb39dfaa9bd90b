"""The hardware bridge on simulated hardware, serving its API on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tests.support.bridge import BridgeProcess, write_config

from .engine import WORKER_NAME
from .settings import DemoSettings

# The stand-in worker's tasks: long enough to watch one run, short enough to see several finish.
TASK_SECONDS = 20
IDLE_SECONDS = 3
DRAIN_TIMEOUT = 60


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
