"""What the worker container is: image, allowlist, iExec settings, volumes, limits.

The settings mirror the real worker's environment (iexec-worker's application.yml):
IEXEC_CORE_PROTOCOL/HOST/PORT, IEXEC_WORKER_NAME, IEXEC_WORKER_WALLET_PATH and _PASSWORD,
IEXEC_WORKER_BASE_DIR, IEXEC_WORKER_OVERRIDE_AVAILABLE_CPU_COUNT.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

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
