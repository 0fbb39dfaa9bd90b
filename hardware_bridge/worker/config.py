"""What the worker container is: image, allowlist, iExec settings, volumes, limits.

The settings mirror the real worker's environment (iexec-worker's application.yml):
IEXEC_CORE_PROTOCOL/HOST/PORT, IEXEC_WORKER_NAME, IEXEC_WORKER_WALLET_PATH and _PASSWORD,
IEXEC_WORKER_BASE_DIR, IEXEC_WORKER_OVERRIDE_AVAILABLE_CPU_COUNT.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from hardware_bridge.config import number, unknown_keys
from hardware_bridge.errors import ConfigError

# The official image, pinned: the bridge never pulls "latest" behind the owner's back.
DEFAULT_IMAGE: Final = "iexechub/iexec-worker:8.6.0"
WALLET_IN_CONTAINER: Final = "/iexec-wallet/wallet.json"
DOCKER_SOCKET: Final = "/var/run/docker.sock"
MANAGED_LABEL: Final = "io.positive-energy.managed"
NAME_LABEL: Final = "io.positive-energy.worker"
# A digest of everything the container was created with: a changed config re-creates it.
SPEC_LABEL: Final = "io.positive-energy.spec"


@dataclass(frozen=True)
class WorkerConfig:
    """The ``[worker]`` table of the bridge's config file."""

    image: str = DEFAULT_IMAGE
    allowed_images: tuple[str, ...] = (DEFAULT_IMAGE,)
    name: str = "positive-energy-worker"
    core_url: str = "https://core.v8-bellecour.iex.ec"
    wallet_file: Path = Path("/etc/hardware-bridge/wallet.json")
    password_file: Path = Path("/etc/hardware-bridge/wallet-password")
    base_dir: Path = Path("/var/lib/hardware-bridge/iexec-worker")
    cpus: int | None = None
    environment: Mapping[str, str] = field(default_factory=dict)
    docker_url: str = f"unix://{DOCKER_SOCKET}"
    drain_timeout: float = 600.0
    # How often the container's state, stats and logs are read.
    poll_interval: float = 2.0

    @property
    def container_name(self) -> str:
        return self.name

    @property
    def docker_socket(self) -> str:
        """The engine's socket on the host, handed to the worker for its task containers."""
        return self.docker_url.removeprefix("unix://")

    def core_environment(self) -> dict[str, str]:
        parts = urlsplit(self.core_url)
        protocol = parts.scheme or "https"
        port = parts.port or (443 if protocol == "https" else 80)
        return {
            "IEXEC_CORE_PROTOCOL": protocol,
            "IEXEC_CORE_HOST": parts.hostname or "",
            "IEXEC_CORE_PORT": str(port),
        }


def _string(data: Mapping[str, Any], key: str, where: str, default: str) -> str:
    value = data.get(key, default)
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}.{key}: expected a non-empty string, got {value!r}")
    return value


def parse_worker(data: Mapping[str, Any], where: str = "worker") -> WorkerConfig:
    """A WorkerConfig from the ``[worker]`` table; errors name the key."""
    keys = set(WorkerConfig.__dataclass_fields__)
    unknown_keys(data, keys, where)
    image = _string(data, "image", where, DEFAULT_IMAGE)
    allowed = data.get("allowed_images", [DEFAULT_IMAGE])
    if not isinstance(allowed, list) or not all(isinstance(i, str) for i in allowed):
        raise ConfigError(f"{where}.allowed_images: expected a list of image names")
    environment = data.get("environment", {})
    if not isinstance(environment, Mapping) or not all(
        isinstance(v, str) for v in environment.values()
    ):
        raise ConfigError(f"{where}.environment: expected a table of strings")
    cpus = data.get("cpus")
    if cpus is not None and (isinstance(cpus, bool) or not isinstance(cpus, int) or cpus < 1):
        raise ConfigError(f"{where}.cpus: expected a whole number of cores, got {cpus!r}")
    core_url = _string(data, "core_url", where, WorkerConfig.core_url)
    if urlsplit(core_url).scheme not in ("http", "https") or not urlsplit(core_url).hostname:
        raise ConfigError(f"{where}.core_url: expected an http(s) URL, got {core_url!r}")
    defaults = WorkerConfig()
    return WorkerConfig(
        image=image,
        allowed_images=tuple(allowed),
        name=_string(data, "name", where, defaults.name),
        core_url=core_url,
        wallet_file=Path(_string(data, "wallet_file", where, str(defaults.wallet_file))),
        password_file=Path(_string(data, "password_file", where, str(defaults.password_file))),
        base_dir=Path(_string(data, "base_dir", where, str(defaults.base_dir))),
        cpus=cpus,
        environment=dict(environment),
        docker_url=_string(data, "docker_url", where, defaults.docker_url),
        drain_timeout=number(data, "drain_timeout", where, defaults.drain_timeout, 0.0),
        poll_interval=number(data, "poll_interval", where, defaults.poll_interval, 0.0),
    )
