"""The worker's state as the API reports it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from hardware_bridge.base.wire import Doc

HEX_ADDRESS = "^0x[0-9a-fA-F]{40}$"  # an Ethereum address, in any case


class WorkerState(StrEnum):
    """Where the worker container is in its life."""

    NOT_CREATED = "not_created"
    STARTING = "starting"
    RUNNING = "running"
    DRAINING = "draining"
    STOPPED = "stopped"
    ERROR = "error"


@dataclass(frozen=True, kw_only=True)
class ContainerFacts:
    """What one look at the container shows."""

    state: WorkerState
    container_id: str | None = None
    started_at: datetime | None = None
    uptime: float | None = None
    cpu_percent: Annotated[float | None, Doc("percent of one core, as docker stats counts")] = None
    memory_bytes: int | None = None
    exit_code: int | None = None


@dataclass(frozen=True, kw_only=True)
class WorkerStatus(ContainerFacts):
    """The worker as the API reports it: the container, its tasks and what its owner wants."""

    image: str
    # Who the worker is and where it earns: the chain its core serves (as configured, and as the
    # core says), the workerpool, and the wallet's public address (null when unreadable).
    chain_id: Annotated[
        int,
        Doc(
            "the chain the worker earns on: the one its core serves, as [worker] chain_id says",
            minimum=1,
        ),
    ]
    pool_address: Annotated[
        str,
        Doc("the workerpool the worker joins ([worker] pool_address)", pattern=HEX_ADDRESS),
    ]
    core_chain_id: Annotated[
        int | None,
        Doc(
            "the chain the worker's core says it serves (GET core_url/workers/config, then its "
            "config server's /config/chain), asked at start and every 15 minutes; null until it "
            "answers. When it differs from chain_id, degraded.core says so"
        ),
    ] = None
    wallet: Annotated[
        str | None,
        Doc(
            "the worker's wallet address, from the keystore's address field (never the key); "
            "null when the wallet cannot be read",
            pattern="^0x[0-9a-f]{40}$",
        ),
    ] = None
    tasks_started: int = 0
    tasks_completed: int = 0
    tasks_running: int = 0
    forced_stop: bool = False
    last_error: str | None = None
    desired_running: Annotated[
        bool, Doc("what the owner last asked for; guards may hold it back")
    ] = False
    platform_mismatch: Annotated[
        str | None,
        Doc(
            "why the image cannot run on this machine (built for another platform); the bridge "
            "does not retry until the worker is started again"
        ),
    ] = None
