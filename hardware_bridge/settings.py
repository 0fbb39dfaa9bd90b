"""The bridge's config file beyond ``[hardware]``: ``[server]``, ``[worker]`` and ``[guards]``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from hardware_bridge.config import number, read_toml, section, unknown_keys
from hardware_bridge.errors import ConfigError
from hardware_bridge.guards import GuardConfig, parse_guards
from hardware_bridge.worker.config import WorkerConfig, parse_worker

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


@dataclass(frozen=True)
class BridgeSettings:
    """Everything ``serve`` needs besides the hardware."""

    server: ServerConfig = field(default_factory=ServerConfig)
    worker: WorkerConfig = field(default_factory=WorkerConfig)
    guards: GuardConfig = field(default_factory=GuardConfig)


def _server(data: Mapping[str, Any], where: str) -> ServerConfig:
    unknown_keys(data, set(ServerConfig.__dataclass_fields__), where)
    d = ServerConfig()
    host = data.get("host", d.host)
    port = data.get("port", d.port)
    if not isinstance(host, str) or not host:
        raise ConfigError(f"{where}.host: expected an address, got {host!r}")
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ConfigError(f"{where}.port: expected 0..65535, got {port!r}")
    zeroconf = data.get("zeroconf", d.zeroconf)
    if not isinstance(zeroconf, bool):
        raise ConfigError(f"{where}.zeroconf: expected true or false")
    sockets = data.get("max_event_sockets", d.max_event_sockets)
    if isinstance(sockets, bool) or not isinstance(sockets, int) or not 1 <= sockets <= 512:
        raise ConfigError(f"{where}.max_event_sockets: expected 1..512, got {sockets!r}")
    return ServerConfig(
        host=host,
        port=port,
        zeroconf=zeroconf,
        sample_interval=number(data, "sample_interval", where, d.sample_interval, 0.0),
        heartbeat=number(data, "heartbeat", where, d.heartbeat, 0.0),
        max_event_sockets=sockets,
    )


def simulation_worker(data_dir: Path) -> WorkerConfig:
    """The stand-in worker with a throwaway wallet: what a simulated bridge runs."""
    wallet, password = data_dir / "standin-wallet.json", data_dir / "standin-wallet-password"
    if not wallet.exists():
        wallet.write_text('{"address": "0x0000000000000000000000000000000000000000"}\n')
    if not password.exists():
        password.write_text("standin\n")
    return WorkerConfig(
        image=STANDIN_IMAGE,
        allowed_images=(STANDIN_IMAGE,),
        name="positive-energy-standin-worker",
        core_url="http://127.0.0.1:13000",
        wallet_file=wallet,
        password_file=password,
        base_dir=data_dir / "iexec-worker",
        drain_timeout=60.0,
    )


def load_settings(path: Path | None, *, simulate: bool, data_dir: Path) -> BridgeSettings:
    """The settings from a config file (or defaults); in simulation the stand-in worker."""
    data = read_toml(path) if path is not None else {}
    where = path.name if path is not None else "defaults"
    server = _server(section(data, "server", where) or {}, f"{where}: server")
    worker_table = section(data, "worker", where)
    if worker_table is not None:
        worker = parse_worker(worker_table, f"{where}: worker")
    elif simulate:
        worker = simulation_worker(data_dir)
    else:
        worker = WorkerConfig()
    guards = parse_guards(section(data, "guards", where) or {}, f"{where}: guards")
    return BridgeSettings(server=server, worker=worker, guards=guards)
