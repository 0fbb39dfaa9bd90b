"""The one owner of the worker's life: what is wanted, what is in flight, what happened.

Owners (Home Assistant, a person with curl) say what they want; the guards may hold it back; the
supervisor brings the container there and keeps it there — after a crash (with a growing
back-off, so a broken image cannot crash-loop), an engine restart, or a command that lost a race.

Commands are serialised: one start or drain talks to Docker at a time, and when a queued command's
turn comes it acts on what is wanted *then*, so the latest command wins. A forced stop does not
queue: it kills at once, under any drain in flight. The wanted state, the task tallies and the
log cursor are persisted in ``worker.json`` so a restart of the bridge loses none of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, TypeVar

from hardware_bridge.faults import FaultTracker
from hardware_bridge.worker.activity import TaskTally
from hardware_bridge.worker.config import WorkerConfig
from hardware_bridge.worker.engine import (
    ContainerLook,
    DockerWorker,
    EngineUnavailableError,
    LogCursor,
    WorkerError,
)
from hardware_bridge.worker.persisted import worker_store
from hardware_bridge.worker.status import ContainerFacts, WorkerState, WorkerStatus

_LOGGER = logging.getLogger(__name__)
T = TypeVar("T")
WORKER_FILE = "worker.json"
DOCKER_FAULT = "docker"
WORKER_FAULT = "worker"
Command = Callable[[], Coroutine[Any, Any, None]]


@dataclass
class RestartBackoff:
    """After the worker exits on its own, wait before starting it again, doubling each time."""

    first: float = 10.0
    longest: float = 600.0
    delay: float = 10.0
    not_before: float = 0.0

    def crashed(self) -> float:
        """Hold restarts back; returns how long."""
        waited = self.delay
        self.not_before = time.monotonic() + waited
        self.delay = min(self.delay * 2, self.longest)
        return waited

    def due(self) -> bool:
        return time.monotonic() >= self.not_before

    def reset(self) -> None:
        self.delay, self.not_before = self.first, 0.0


@dataclass(frozen=True)
class StopRequest:
    """How the owner last asked the worker to stop."""

    drain: bool = True
    grace: float | None = None  # None: the worker's own drain timeout


class WorkerSupervisor:
    """Keeps the worker container where its owner wants it, within what the guards allow."""

    def __init__(
        self,
        config: WorkerConfig,
        *,
        data_dir: Path,
        faults: FaultTracker,
        refusal: Callable[[], str | None],
        on_change: Callable[[], None],
    ) -> None:
        self.config = config
        self._faults = faults
        self._refusal = refusal  # why the guards forbid running now, or None
        self._on_change = on_change
        self._engine = DockerWorker(config)
        self._pool = ThreadPoolExecutor(4, thread_name_prefix="docker")
        self._store = worker_store(data_dir, faults)
        saved = self._store.load() or {}
        self.tally = TaskTally(saved.get("tasks_started", 0), saved.get("tasks_completed", 0))
        cursor = saved.get("log_cursor")
        self._cursor: LogCursor | None = (cursor[0], cursor[1]) if cursor else None
        # What the owner (or Home Assistant) last asked for; guards may hold it back.
        self.wanted: bool = saved.get("desired_running", False)
        self._stop_request = StopRequest()
        self._look = ContainerLook(state=WorkerState.NOT_CREATED)
        # Looks run on several threads at once and may land out of order: only a newer one counts.
        self._looks = 0
        self._newest_look = 0
        self._forced_stop = False
        self._last_error: str | None = None
        self._backoff = RestartBackoff()
        self._commands = asyncio.Lock()  # one start or drain at a time
        # The command in flight, shown as the state: (its number, starting or draining).
        self._operation: tuple[int, WorkerState] | None = None
        self._issued = 0
        self._background: set[asyncio.Task[Any]] = set()

    # The state

    def status(self) -> WorkerStatus:
        """The worker as the API reports it, with any command in flight."""
        facts = {field.name: getattr(self._look, field.name) for field in fields(ContainerFacts)}
        if self._operation is not None:
            facts["state"] = self._operation[1]
        return WorkerStatus(
            **facts,
            image=self.config.image,
            tasks_started=self.tally.started,
            tasks_completed=self.tally.completed,
            tasks_running=len(self.tally.running),
            forced_stop=self._forced_stop,
            last_error=self._last_error,
            desired_running=self.wanted,
        )

    @property
    def running(self) -> bool:
        """Running, or about to: what a guard must stop."""
        starting = self._operation is not None and self._operation[1] == WorkerState.STARTING
        return self._look.running or starting

    # Commands from the owner

    async def start(self) -> WorkerStatus:
        """The owner wants the worker running (the caller has asked the guards)."""
        self._want(True)
        self._backoff.reset()
        await self._serialised(WorkerState.STARTING, self._start_if_wanted)
        return self.status()

    async def stop(self, *, drain: bool, grace: float | None) -> WorkerStatus:
        """The owner wants the worker stopped: drained in the background, or killed now."""
        self._stop_request = StopRequest(drain, grace)
        self._want(False)
        if drain:
            self._queue(WorkerState.DRAINING, self._drain_if_unwanted)
            return self.status()
        await self._kill()
        return self.status()

    async def guard_stop(self, grace: float) -> None:
        """A guard forbids running: drain the worker, and keep it wanted for when it clears."""
        await self._serialised(WorkerState.DRAINING, self._guard_drain(grace))

    def guard_stop_soon(self, grace: float) -> None:
        """``guard_stop`` in the background: the sampling loop must not wait for a drain."""
        self._queue(WorkerState.DRAINING, self._guard_drain(grace))

    def _guard_drain(self, grace: float) -> Command:
        async def drain_if_refused() -> None:
            if self._refusal() is not None:
                await self._stop(drain=True, grace=grace, reason="guard")

        return drain_if_refused

    # Keeping it there

    async def poll(self) -> None:
        """Look at the container; bring the worker back where it is wanted."""
        previous = self._look
        await self._refresh()
        if self._commands.locked():
            return  # a command is moving it: look again next time
        if self.wanted and self._look.state in (WorkerState.STOPPED, WorkerState.NOT_CREATED):
            await self._restart(previous)
        elif not self.wanted and self._look.running:
            # A stop that lost a race with a start, or a bridge restarted mid-drain.
            if self._stop_request.drain:
                self._queue(WorkerState.DRAINING, self._drain_if_unwanted)
            else:
                await self._kill()

    async def _restart(self, previous: ContainerLook) -> None:
        if self._refusal() is not None:
            return
        if previous.state == WorkerState.RUNNING and self._look.exit_code not in (None, 0):
            waited = self._backoff.crashed()
            _LOGGER.warning(
                "worker exited with code %s; starting it again in %.0f s",
                self._look.exit_code,
                waited,
            )
        if self._backoff.due():
            # A failure is in the faults already, and the next poll tries again.
            with contextlib.suppress(WorkerError):
                await self._serialised(WorkerState.STARTING, self._start_if_wanted)

    async def _refresh(self) -> None:
        self._looks += 1
        mine = self._looks
        error: WorkerError | None = None
        try:
            look = await self._on_docker(lambda: self._engine.look(self._cursor))
        except WorkerError as err:
            look, error = ContainerLook(state=WorkerState.ERROR), err
        if mine < self._newest_look:
            # A newer look landed first; this one's lines are in it too (same or older cursor).
            return
        self._newest_look = mine
        if error is not None:
            self._faults.failed(DOCKER_FAULT, error)
            self._look, self._last_error = look, str(error)
            return
        if self._look.state == WorkerState.ERROR:
            self._last_error = None
        self._faults.recovered(DOCKER_FAULT)
        self._look = look
        fed = [self.tally.feed(line) for line in look.log_lines]  # every line, not the first
        changed = any(fed)
        if not look.running:
            self.tally.container_gone()
        if look.cursor is not None and look.cursor != self._cursor:
            self._cursor = look.cursor
            changed = True
        if changed:
            self._save()

    # The commands themselves

    async def _serialised(self, shown: WorkerState, command: Command) -> None:
        """Run ``command`` when no other start or drain is talking to Docker."""
        await self._run(self._issue(shown), command)

    def _queue(self, shown: WorkerState, command: Command) -> None:
        """``_serialised`` in the background; the state shows it from now on."""
        self._spawn(self._run(self._issue(shown), command))

    def _issue(self, shown: WorkerState) -> int:
        self._issued += 1
        self._operation = (self._issued, shown)
        self._on_change()
        return self._issued

    async def _run(self, ticket: int, command: Command) -> None:
        try:
            async with self._commands:
                await command()
        finally:
            if self._operation and self._operation[0] == ticket:
                self._operation = None
            await self._refresh()
            self._on_change()

    async def _start_if_wanted(self) -> None:
        if not self.wanted:
            return  # a later stop won
        try:
            await self._on_docker(self._engine.start)
        except EngineUnavailableError as err:
            self._faults.failed(DOCKER_FAULT, err)
            raise
        except WorkerError as err:
            self._faults.failed(WORKER_FAULT, err)
            raise
        self._faults.recovered(WORKER_FAULT)
        self._forced_stop, self._last_error = False, None

    async def _drain_if_unwanted(self) -> None:
        if self.wanted:
            return  # a later start won
        await self._stop(drain=True, grace=self._stop_request.grace, reason="request")

    async def _kill(self) -> None:
        """A forced stop: not queued behind drains, it kills under them."""
        await self._stop(drain=False, grace=None, reason="request")
        await self._refresh()
        self._on_change()

    async def _stop(self, *, drain: bool, grace: float | None, reason: str) -> None:
        grace = self.config.drain_timeout if grace is None else grace
        try:
            forced = await self._on_docker(lambda: self._engine.stop(drain=drain, grace=grace))
        except EngineUnavailableError as err:
            self._faults.failed(DOCKER_FAULT, err)
            return
        except WorkerError as err:
            _LOGGER.warning("stopping the worker failed: %s", err)
            return
        if forced is None:
            return  # it was not running: what the last stop said still holds
        _LOGGER.info("worker stopped (%s%s)", reason, ", forced" if forced else "")
        self._forced_stop = forced
        if forced and drain:
            self._last_error = f"drain timed out after {grace:.0f} s: the worker was killed"

    def _want(self, running: bool) -> None:
        self.wanted = running
        self._save()

    def _save(self) -> None:
        self._store.save(
            {
                "desired_running": self.wanted,
                "tasks_started": self.tally.started,
                "tasks_completed": self.tally.completed,
                "log_cursor": list(self._cursor) if self._cursor else None,
            }
        )

    # Threads and tasks

    async def _on_docker(self, call: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, call)

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def settled(self) -> None:
        """Wait for the drains in flight."""
        await asyncio.gather(*list(self._background), return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._background):
            task.cancel()
        self._engine.close()
        # A Docker call in flight (a drain) may take its time: wait a little, not for ever.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(
                asyncio.to_thread(self._pool.shutdown, wait=True, cancel_futures=True),
                timeout=10,
            )
