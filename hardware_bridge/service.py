"""The running bridge: samples the hardware, applies the guards, keeps the worker where it belongs.

Blocking work stays off the event loop: the I2C bus on one thread of its own (so its
transactions never interleave), Docker calls on a small pool. Each sample becomes a state
document that the API serves and pushes to WebSocket subscribers.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from hardware_bridge import __version__
from hardware_bridge.errors import BridgeError
from hardware_bridge.faults import FaultTracker
from hardware_bridge.guards import LOW_VOLTAGE, Guards
from hardware_bridge.hardware import Hardware
from hardware_bridge.power.store import JsonStore
from hardware_bridge.readings import Snapshot, jsonable
from hardware_bridge.settings import BridgeSettings
from hardware_bridge.worker.activity import TaskTally
from hardware_bridge.worker.engine import DockerWorker, EngineUnavailableError, WorkerError
from hardware_bridge.worker.status import WorkerState, WorkerStatus

_LOGGER = logging.getLogger(__name__)
T = TypeVar("T")
WORKER_FILE = "worker.json"
# After the worker exits on its own, wait this long before starting it again, doubling each time.
RESTART_BACKOFF = (10.0, 600.0)


class BridgeService:
    """Hardware, guards and worker behind one object, for the API."""

    def __init__(
        self,
        hardware: Hardware,
        settings: BridgeSettings,
        *,
        data_dir: Path,
        device_id: str,
        scenario: str | None = None,
    ) -> None:
        self.hardware = hardware
        self.settings = settings
        self.device_id = device_id
        self.scenario = scenario
        self.guards = Guards(settings.guards)
        self.faults = FaultTracker(_LOGGER)
        self._bus_thread = ThreadPoolExecutor(1, thread_name_prefix="i2c")
        self._docker_pool = ThreadPoolExecutor(4, thread_name_prefix="docker")
        self._store = JsonStore(data_dir / WORKER_FILE)
        saved = self._store.load() or {}
        tally = TaskTally(saved.get("tasks_started", 0), saved.get("tasks_completed", 0))
        self.worker = DockerWorker(settings.worker, tally)
        if cursor := saved.get("log_cursor"):
            self.worker.log_cursor = (cursor[0], cursor[1])
        # What the owner (or Home Assistant) last asked for; guards may hold it back.
        self.desired_running: bool = saved.get("desired_running", False)
        self.snapshot: Snapshot | None = None
        self.worker_status = WorkerStatus(WorkerState.NOT_CREATED, settings.worker.image)
        self._operation: WorkerState | None = None  # starting / draining while a call runs
        self._restart_at = 0.0
        self._restart_delay = RESTART_BACKOFF[0]
        self._subscribers: set[asyncio.Queue[dict[str, Any]]] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self._background: set[asyncio.Task[Any]] = set()
        self._shutdown_requested = False
        self.sampled_at = 0.0

    # Life cycle

    async def start(self) -> None:
        await self.sample()
        await self.poll_worker()
        self._tasks = [
            asyncio.create_task(self.run_every(self.settings.server.sample_interval, self.sample)),
            asyncio.create_task(
                self.run_every(self.settings.worker.poll_interval, self.poll_worker)
            ),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for task in list(self._background):
            task.cancel()
        await self._on_bus(self.hardware.close)
        self.worker.close()
        self._bus_thread.shutdown(wait=True)
        # A Docker call in flight (a drain) may take its time: wait a little, not for ever.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(
                asyncio.to_thread(self._docker_pool.shutdown, wait=True, cancel_futures=True),
                timeout=10,
            )

    async def run_every(self, interval: float, job: Callable[[], Any]) -> None:
        """Run ``job`` every ``interval`` s for ever; a failure is a fault, not the end."""
        name = getattr(job, "__name__", str(job))
        failing: str | None = None
        while True:
            await asyncio.sleep(interval)
            try:
                await job()
            except Exception as err:  # a loop that died would freeze the bridge: it goes on
                message = f"{type(err).__name__}: {err}"
                if message != failing:  # the traceback once per kind of failure, not per tick
                    _LOGGER.exception("%s failed", name)
                    self.faults.failed(name, message)
                failing = message
            else:
                if failing is not None:
                    self.faults.recovered(name)
                failing = None

    async def _on_bus(self, call: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._bus_thread, call)

    async def _on_docker(self, call: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._docker_pool, call)

    async def settled(self) -> None:
        """Wait for the drains and shutdowns in flight."""
        await asyncio.gather(*list(self._background), return_exceptions=True)

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.create_task(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # Hardware and guards

    async def sample(self) -> None:
        """Read the hardware, apply the guards, publish."""
        self.snapshot = await self._on_bus(self.hardware.sample)
        self.sampled_at = time.time()
        change = self.guards.evaluate(self.snapshot)
        if change.tripped:
            _LOGGER.warning("guard tripped: %s", self.guards.refusal())
            if self.worker_status.state in (WorkerState.RUNNING, WorkerState.STARTING):
                self._operation = WorkerState.DRAINING
                timeout = self.settings.guards.drain_timeout
                self._spawn(self._stop(drain=True, grace=timeout, reason="guard"))
        if change.cleared:
            _LOGGER.info("guard cleared: %s", ", ".join(change.cleared))
        if change.shutdown and not self._shutdown_requested:
            self._shutdown_requested = True
            self._spawn(self._clean_shutdown())
        if LOW_VOLTAGE in change.cleared:
            self._shutdown_requested = False
        self._publish()

    async def _clean_shutdown(self) -> None:
        """Before the Witty Pi cuts the power: stop the worker, then shut the Pi down."""
        if self.worker_status.state in (WorkerState.RUNNING, WorkerState.DRAINING):
            await self._stop(drain=True, grace=self.settings.guards.drain_timeout, reason="guard")
        command = self.settings.guards.shutdown_command
        if self.hardware.simulated:
            _LOGGER.warning("low voltage: would run %s (not in simulation)", " ".join(command))
            return
        _LOGGER.warning("low voltage: shutting down with %s", " ".join(command))
        await asyncio.to_thread(subprocess.run, command, check=False)

    async def schedule(self, startup: datetime | None, shutdown: datetime | None) -> None:
        await self._on_bus(lambda: self.hardware.schedule(startup=startup, shutdown=shutdown))
        await self.sample()

    async def set_low_voltage(self, threshold: float | None, recovery: float | None) -> None:
        await self._on_bus(lambda: self.hardware.set_low_voltage(threshold, recovery))
        await self.sample()

    # The worker

    async def poll_worker(self) -> None:
        """Look at the container, feed the simulation its CPU use, restart it if it should run."""
        status = await self._on_docker(self.worker.status)
        if status.state == WorkerState.ERROR and status.last_error:
            self.faults.failed("docker", status.last_error)
        else:
            self.faults.recovered("docker")
        previous = self.worker_status
        self.worker_status = status
        if status.tasks_started != previous.tasks_started or (
            status.tasks_completed != previous.tasks_completed
        ):
            self._save()
        share = (status.cpu_percent or 0.0) / 100.0 / max(1, self.settings.worker.cpus or 1)
        await self._on_bus(lambda: self.hardware.report_worker_cpu(min(share, 1.0)))
        await self._reconcile(previous)
        self._publish()

    async def _reconcile(self, previous: WorkerStatus) -> None:
        """Bring the worker back when it should run: after an engine restart, a guard, a crash."""
        status = self.worker_status
        idle = status.state in (WorkerState.STOPPED, WorkerState.NOT_CREATED)
        if not self.desired_running or self._operation or not idle or self.guards.refusal():
            return
        if previous.state == WorkerState.RUNNING and status.exit_code not in (None, 0):
            # It died under us: back off, so a broken image cannot crash-loop.
            self._restart_at = time.monotonic() + self._restart_delay
            _LOGGER.warning(
                "worker exited with code %s; starting it again in %.0f s",
                status.exit_code,
                self._restart_delay,
            )
            self._restart_delay = min(self._restart_delay * 2, RESTART_BACKOFF[1])
        if time.monotonic() < self._restart_at:
            return
        try:
            await self._start()
        except EngineUnavailableError as err:
            self.faults.failed("docker", err)  # the same fault as the poll's: logged once
        except WorkerError as err:
            self.faults.failed("worker", err)

    async def start_worker(self) -> WorkerStatus:
        """The owner wants the worker running. Guards may refuse."""
        self.guards.check_start()
        self.desired_running = True
        self._save()
        self._restart_delay = RESTART_BACKOFF[0]
        self._restart_at = 0.0
        await self._start()
        return self.worker_status

    async def _start(self) -> None:
        self._operation = WorkerState.STARTING
        self._publish()
        try:
            await self._on_docker(self.worker.start)
            self.faults.recovered("worker")
        finally:
            self._operation = None
        self.worker_status = await self._on_docker(self.worker.status)
        self._publish()

    async def stop_worker(self, *, drain: bool, grace: float | None) -> WorkerStatus:
        """The owner wants the worker stopped: drained in the background, or killed now."""
        self.desired_running = False
        self._save()
        if drain:
            self._operation = WorkerState.DRAINING
            self._spawn(self._stop(drain=True, grace=grace, reason="request"))
            self._publish()
            return self.status_now()
        await self._stop(drain=False, grace=None, reason="request")
        return self.worker_status

    async def _stop(self, *, drain: bool, grace: float | None, reason: str) -> None:
        self._operation = WorkerState.DRAINING if drain else None
        try:
            forced = await self._on_docker(lambda: self.worker.stop(drain=drain, timeout=grace))
            _LOGGER.info("worker stopped (%s%s)", reason, ", forced" if forced else "")
        except EngineUnavailableError as err:
            self.faults.failed("docker", err)
        except WorkerError as err:
            _LOGGER.warning("stopping the worker failed: %s", err)
        finally:
            self._operation = None
        self.worker_status = await self._on_docker(self.worker.status)
        self._publish()

    def _save(self) -> None:
        tally = self.worker.tally
        self._store.save(
            {
                "desired_running": self.desired_running,
                "tasks_started": tally.started,
                "tasks_completed": tally.completed,
                "log_cursor": list(self.worker.log_cursor) if self.worker.log_cursor else None,
            }
        )

    # State

    def status_now(self) -> WorkerStatus:
        """The worker's status with any operation in flight."""
        if self._operation is not None:
            return dataclasses.replace(self.worker_status, state=self._operation)
        return self.worker_status

    def state(self) -> dict[str, Any]:
        """The whole state document (the API's ``/state``)."""
        document = self.snapshot.as_dict() if self.snapshot else {}
        worker = self.status_now()
        document["worker"] = jsonable(dataclasses.asdict(worker))
        document["worker"]["desired_running"] = self.desired_running
        document["guards"] = {"tripped": dict(self.guards.tripped), **self.guards.config.as_dict()}
        degraded = dict(document.get("errors", {}))
        degraded.update(self.faults.active)
        document["degraded"] = degraded
        document["sampled_at"] = self.sampled_at
        document["bridge_version"] = __version__
        return document

    def device_info(self) -> dict[str, Any]:
        """Who this bridge is: the API's ``/device``."""
        witty = self.snapshot.witty_pi if self.snapshot else None
        config = self.hardware.config
        chips = [
            {"role": role, "chip": monitor.chip, "address": monitor.address}
            for role, monitor in config.monitors().items()
        ]
        if config.witty_pi is not None:
            chips.append(
                {"role": "witty_pi", "chip": "witty_pi_4", "address": config.witty_pi.address}
            )
        return {
            "device_id": self.device_id,
            "model": _pi_model(self.hardware.simulated),
            "bridge_version": __version__,
            "api_version": 1,
            "simulated": self.hardware.simulated,
            "scenario": self.scenario,
            "chips": chips,
            "witty_pi": None
            if witty is None
            else {
                "model": witty.model,
                "firmware_id": witty.firmware_id,
                "firmware_revision": witty.firmware_revision,
            },
            "battery": {
                "chemistry": config.battery.chemistry,
                "nominal_voltage": config.battery.nominal_voltage,
                "capacity_ah": config.battery.capacity_ah,
            },
            "worker_image": self.settings.worker.image,
        }

    # Push

    def subscribe(self) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=16)
        self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self._subscribers.discard(queue)

    def _publish(self) -> None:
        state = self.state()
        for queue in list(self._subscribers):
            if queue.full():  # a slow client gets the newest state, not a backlog
                queue.get_nowait()
            queue.put_nowait(state)


def _pi_model(simulated: bool) -> str:
    if simulated:
        return "Raspberry Pi (simulated)"
    try:
        return Path("/proc/device-tree/model").read_text().rstrip("\x00")
    except OSError:
        return "unknown"


__all__ = ["BridgeError", "BridgeService"]
