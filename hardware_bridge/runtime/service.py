"""The running bridge: samples the hardware, applies the guards, publishes the state.

The worker's life belongs to its supervisor (``worker/supervisor.py``), the documents to
``documents.py``, the push to ``publisher.py``; this object wires them together on one clock.
The I2C bus has one thread of its own, so its transactions never interleave.
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from hardware_bridge.base.faults import FaultTracker
from hardware_bridge.config.serve import ServeConfig
from hardware_bridge.guards import (
    LOW_VOLTAGE,
    Guards,
    check_low_voltage_setting,
    supply_volts,
)
from hardware_bridge.hardware.readings import Snapshot
from hardware_bridge.hardware.sampler import Hardware
from hardware_bridge.runtime.documents import (
    DeviceDocument,
    StateDocument,
    device_document,
    state_document,
)
from hardware_bridge.runtime.periodic import run_every
from hardware_bridge.runtime.publisher import StatePublisher
from hardware_bridge.worker.status import WorkerStatus
from hardware_bridge.worker.supervisor import WorkerSupervisor

_LOGGER = logging.getLogger(__name__)
T = TypeVar("T")


class BridgeService:
    """Hardware, guards and worker behind one object, for the API."""

    def __init__(
        self,
        hardware: Hardware,
        config: ServeConfig,
        *,
        data_dir: Path,
        device_id: str,
        scenario: str | None = None,
    ) -> None:
        self.hardware = hardware
        self.config = config
        self.device_id = device_id
        self.scenario = scenario
        self.guards = Guards(config.guards)
        self.faults = FaultTracker(_LOGGER)
        self.publisher = StatePublisher()
        self.worker = WorkerSupervisor(
            config.worker,
            data_dir=data_dir,
            faults=self.faults,
            refusal=self.guards.refusal,
            on_change=self._publish,
            guard_grace=config.guards.drain_timeout,
        )
        self._bus_thread = ThreadPoolExecutor(1, thread_name_prefix="i2c")
        self._loops: list[asyncio.Task[None]] = []
        self._shutdown: asyncio.Task[None] | None = None
        self.snapshot: Snapshot | None = None
        self.sampled_at = 0.0

    # Life cycle

    async def start(self) -> None:
        await self.sample()
        await self.poll_worker()
        self._loops = [
            asyncio.create_task(run_every(interval, job, self.faults))
            for interval, job in (
                (self.config.server.sample_interval, self.sample),
                (self.config.worker.poll_interval, self.poll_worker),
            )
        ]

    async def stop(self) -> None:
        for task in self._loops:
            task.cancel()
        await asyncio.gather(*self._loops, return_exceptions=True)
        if self._shutdown is not None:
            self._shutdown.cancel()
        await self._on_bus(self.hardware.close)
        self._bus_thread.shutdown(wait=True)
        await self.worker.close()

    async def settled(self) -> None:
        """Wait for the drains and the clean shutdown in flight."""
        await self.worker.settled()
        if self._shutdown is not None:
            await asyncio.gather(self._shutdown, return_exceptions=True)

    async def _on_bus(self, call: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._bus_thread, call)

    # Hardware and guards

    async def sample(self) -> None:
        """Read the hardware, apply the guards, publish."""
        self.snapshot = await self._on_bus(self.hardware.sample)
        self.sampled_at = time.time()
        change = self.guards.evaluate(self.snapshot)
        if change.tripped:
            _LOGGER.warning("guard tripped: %s", self.guards.refusal())
        # A level, not an edge: every sample while a guard holds drives the worker to stopped,
        # so a trip the engine did not hear (frozen, restarting) is carried out once it answers.
        self.worker.enforce_guards_soon()
        if change.cleared:
            _LOGGER.info("guard cleared: %s", ", ".join(change.cleared))
        if change.shutdown and self._shutdown is None:
            self._shutdown = asyncio.create_task(self._clean_shutdown())
        if LOW_VOLTAGE in change.cleared:
            self._shutdown = None  # the power came back: a new cut shuts down again
        self._publish()

    async def _clean_shutdown(self) -> None:
        """Before the Witty Pi cuts the power: stop the worker, then shut the Pi down."""
        await self.worker.guard_stop()
        command = self.config.guards.shutdown_command
        if self.hardware.simulated:
            _LOGGER.warning("low voltage: would run %s (not in simulation)", " ".join(command))
            return
        _LOGGER.warning("low voltage: shutting down with %s", " ".join(command))
        await asyncio.to_thread(subprocess.run, command, check=False)

    async def schedule(self, startup: datetime | None, shutdown: datetime | None) -> None:
        await self._on_bus(lambda: self.hardware.schedule(startup=startup, shutdown=shutdown))
        await self.sample()

    async def set_low_voltage(self, threshold: float | None, recovery: float | None) -> None:
        """Set the Witty Pi's cut; refused (nothing written) if it would cut the power now."""
        margin = self.config.guards.low_voltage_margin
        check_low_voltage_setting(threshold, recovery, supply_volts(self.snapshot), margin)
        try:
            await self._on_bus(lambda: self.hardware.set_low_voltage(threshold, recovery))
        finally:
            await self.sample()  # what the board holds now, refused or not

    # The worker

    async def poll_worker(self) -> None:
        """Let the supervisor look at the worker; tell the host (and a simulated Pi) its CPU use."""
        await self.worker.poll()
        cpu = self.worker.status().cpu_percent
        await self._on_bus(lambda: self.hardware.report_worker_cpu(cpu, self.config.worker.cpus))
        self._publish()

    async def start_worker(self) -> WorkerStatus:
        """The owner wants the worker running. Guards may refuse."""
        self.guards.check_start(wanted=self.worker.wanted)
        return await self.worker.start()

    async def stop_worker(self, *, drain: bool, grace: float | None) -> WorkerStatus:
        """The owner wants the worker stopped: drained in the background, or killed now."""
        return await self.worker.stop(drain=drain, grace=grace)

    # Documents and push

    def state(self) -> StateDocument:
        """The whole state document (the API's ``/state``); a NotSampledError before the first
        sample (``start`` takes one before the API serves)."""
        return state_document(
            self.snapshot,
            self.worker.status(),
            self.guards,
            self.faults.active,
            self.sampled_at,
            hold=self.worker.hold_report(),
        )

    def device_info(self) -> DeviceDocument:
        """Who this bridge is: the API's ``/device``."""
        return device_document(
            device_id=self.device_id,
            hardware=self.hardware.config,
            simulated=self.hardware.simulated,
            scenario=self.scenario,
            snapshot=self.snapshot,
            worker_image=self.config.worker.image,
        )

    def _publish(self) -> None:
        # Nothing to push before the first sample: a subscriber gets the state once there is one.
        if self.publisher.subscribed and self.snapshot is not None:
            self.publisher.publish(self.state())
