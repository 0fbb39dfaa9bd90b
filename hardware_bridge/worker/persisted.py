"""worker.json: what the worker supervisor keeps across restarts of the bridge, and its schema.

The owner's wish (``desired_running``), the task tallies, and the log cursor (the container and
the nanosecond timestamp of the last log line read). A file of another shape is set aside and
reported by the store, never half-trusted: ``"desired_running": "no"`` must not start a worker.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import voluptuous as vol

from hardware_bridge.base.faults import FaultTracker
from hardware_bridge.base.store import JsonStore
from hardware_bridge.base.validators import whole

COUNT = whole(at_least=0)

WORKER_FILE = "worker.json"


def _cursor(value: Any) -> list[Any] | None:
    if value is None:
        return None  # no log read yet
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not isinstance(value[0], str)
        or not value[0]
    ):
        raise vol.Invalid(f"expected [container id, nanoseconds], got {value!r}")
    return [value[0], COUNT(value[1])]


WORKER_SCHEMA = vol.Schema(
    {
        vol.Required("desired_running"): bool,
        vol.Required("tasks_started"): COUNT,
        vol.Required("tasks_completed"): COUNT,
        vol.Required("log_cursor"): _cursor,
    }
)


def worker_store(data_dir: Path, faults: FaultTracker) -> JsonStore:
    """The supervisor's worker.json; its problems show in ``faults``."""
    return JsonStore(data_dir / WORKER_FILE, WORKER_SCHEMA, faults=faults)
