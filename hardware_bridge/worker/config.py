"""What the worker container is: image, allowlist, iExec settings, volumes, limits.

The settings mirror the real worker's (``docs/worker-contract.md``, read from iexec-worker's
``application.yml`` and configuration classes at 9.2.0 and 8.6.0); ``worker/environment.py``
turns them into the variables the image's release reads.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

# The current release, pinned: the bridge never pulls "latest" behind the owner's back.
DEFAULT_IMAGE: Final = "iexechub/iexec-worker:9.2.0"
WALLET_IN_CONTAINER: Final = "/iexec-wallet/wallet.json"
DOCKER_SOCKET: Final = "/var/run/docker.sock"
MANAGED_LABEL: Final = "io.positive-energy.managed"
NAME_LABEL: Final = "io.positive-energy.worker"
# A digest of everything the container was created with: a changed config re-creates it.
SPEC_LABEL: Final = "io.positive-energy.spec"
# Up to 8.x the core was three variables (protocol, host, port); 9.0 made them one URL.
_LEGACY_TAG = re.compile(r"v?[1-8]\.\d")


def image_tag(image: str) -> str:
    """The tag of ``repository[:tag][@digest]``; a registry's ``host:port/`` is not a tag."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return last.partition(":")[2]


@dataclass(frozen=True, kw_only=True)
class WorkerConfig:
    """The ``[worker]`` table of the bridge's config file.

    ``core_url``, ``pool_address`` and ``chain_id`` have no default: the real worker cannot join
    a workerpool without the first two (9.x refuses to start without the pool), and the third is
    the chain the owner joined, which Home Assistant's chain sensors must read.
    """

    core_url: str
    pool_address: str
    chain_id: int
    image: str = DEFAULT_IMAGE
    allowed_images: tuple[str, ...] = (DEFAULT_IMAGE,)
    name: str = "positive-energy-worker"
    wallet_file: Path = Path("/etc/hardware-bridge/wallet.json")
    password_file: Path = Path("/etc/hardware-bridge/wallet-password")
    base_dir: Path = Path("/var/lib/hardware-bridge/iexec-worker")
    cpus: int | None = None
    # The worker's own settings the bridge passes on when set (else the worker's defaults).
    docker_network: str | None = None
    gas_price_multiplier: float | None = None
    gas_price_cap: int | None = None  # wei
    node_url: str | None = None
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

    @property
    def legacy_core_variables(self) -> bool:
        """Whether the image is an 8.x worker, which reads the core as protocol, host and port."""
        return _LEGACY_TAG.match(image_tag(self.image)) is not None
