"""A job run at an interval for the bridge's whole life: a failure is a fault, not the end."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from hardware_bridge.base.faults import FaultTracker

_LOGGER = logging.getLogger(__name__)


async def run_every(
    interval: float, job: Callable[[], Awaitable[None]], faults: FaultTracker
) -> None:
    """Run ``job`` every ``interval`` s until cancelled.

    A loop that died would freeze the bridge, so a failing job goes on; its traceback is logged
    once per kind of failure, not once per tick, and the failure shows in ``degraded``.
    """
    name = getattr(job, "__name__", str(job))
    failing: str | None = None
    while True:
        await asyncio.sleep(interval)
        try:
            await job()
        except Exception as err:
            message = f"{type(err).__name__}: {err}"
            if message != failing:
                _LOGGER.exception("%s failed", name)
                faults.failed(name, message)
            failing = message
        else:
            if failing is not None:
                faults.recovered(name)
            failing = None
