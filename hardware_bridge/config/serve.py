"""What ``serve`` needs besides ``[hardware]``: the ``[server]``, ``[worker]`` and ``[guards]``
tables of the config file.

``hardware_bridge.config.loader`` reads them from the file; a key the file leaves out keeps the
default given here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from hardware_bridge.guards import GuardConfig
from hardware_bridge.worker.config import WorkerConfig

DEFAULT_PORT: Final = 8765
# In simulation the worker is the local stand-in image (scripts/build-standin-image).
STANDIN_IMAGE: Final = "positive-energy/standin-worker:2"


@dataclass(frozen=True)
class ServerConfig:
    """Where the API listens, and how finely it pushes changes."""

    host: str = "0.0.0.0"  # noqa: S104  (a bridge on a Pi is reached from the LAN)
    port: int = DEFAULT_PORT
    zeroconf: bool = True
    sample_interval: float = 1.0  # s between looks at the hardware
    heartbeat: float = 10.0  # s between WebSocket heartbeats when nothing changes
    # Event WebSockets open at once; each holds a descriptor (the soft limit is often 1024).
    max_event_sockets: int = 64
    # API connections open at once, event WebSockets included; fewer if the descriptor limit
    # leaves less room (api/connections.py). Past it, strangers make room for newcomers.
    max_connections: int = 256


@dataclass(frozen=True)
class ServeConfig:
    """Everything ``serve`` needs besides the hardware."""

    worker: WorkerConfig
    server: ServerConfig = field(default_factory=ServerConfig)
    guards: GuardConfig = field(default_factory=GuardConfig)
