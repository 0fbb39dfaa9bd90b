"""The worker's state as the API reports it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


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
    cpu_percent: float | None = None  # of one core, as ``docker stats`` counts
    memory_bytes: int | None = None
    exit_code: int | None = None


@dataclass(frozen=True, kw_only=True)
class WorkerStatus(ContainerFacts):
    """The worker as the API reports it: the container, its tasks and what its owner wants."""

    image: str
    # Who the worker is and where it earns: the chain its core serves (as configured, and as the
    # core says), the workerpool, and the wallet's public address (null when unreadable).
    chain_id: int
    pool_address: str
    core_chain_id: int | None = None  # the chain the core says it serves, once it answered
    wallet: str | None = None
    tasks_started: int = 0
    tasks_completed: int = 0
    tasks_running: int = 0
    forced_stop: bool = False
    last_error: str | None = None
    desired_running: bool = False  # what the owner last asked for; guards may hold it back
    # Why the image cannot run on this machine (its platform); the bridge does not retry it
    # until the owner starts the worker again.
    platform_mismatch: str | None = None
