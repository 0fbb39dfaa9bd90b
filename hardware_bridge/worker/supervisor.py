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
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, TypeVar

from hardware_bridge.faults import FaultTracker
from hardware_bridge.worker.activity import TaskTally
from hardware_bridge.worker.config import WorkerConfig
from hardware_bridge.worker.core import CoreWatch
from hardware_bridge.worker.engine import (
    ContainerLook,
    DockerWorker,
    EngineUnavailableError,
    LogCursor,
    PlatformMismatchError,
    WorkerError,
)
from hardware_bridge.worker.persisted import worker_store
from hardware_bridge.worker.status import ContainerFacts, WorkerState, WorkerStatus
from hardware_bridge.worker.wallet import WalletError, keystore_address

_LOGGER = logging.getLogger(__name__)
T = TypeVar("T")
DOCKER_FAULT = "docker"
WORKER_FAULT = "worker"
CORE_FAULT = "core"
# How often a drain looks whether the worker has exited.
DRAIN_POLL = 0.5


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


@dataclass
class Drain:
    """A drain under way: the worker has had its SIGTERM; at the deadline it is killed."""

    deadline: float  # time.monotonic()
    grace: float
    reason: str  # "request" or "guard"
    task: asyncio.Task[None] | None = None  # the watch, once the SIGTERM is out


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
        self._wallet = _wallet_address(config)
        self._core = CoreWatch(config.core_url, config.chain_id, config.pool_address)
        # Set when the image is of another platform: not retried by itself (a loop of refusals).
        self._platform_mismatch: str | None = None
        # One short Docker command at a time (create and start, or the drain's SIGTERM). None
        # holds it for long: a drain waits for the exit outside it, so nothing queues behind one.
        self._commands = asyncio.Lock()
        self._starting = False
        self._drain: Drain | None = None
        self._background: set[asyncio.Task[Any]] = set()

    # The state

    def status(self) -> WorkerStatus:
        """The worker as the API reports it, with any command in flight."""
        facts = {field.name: getattr(self._look, field.name) for field in fields(ContainerFacts)}
        if self._drain is not None:
            facts["state"] = WorkerState.DRAINING
        elif self._starting:
            facts["state"] = WorkerState.STARTING
        return WorkerStatus(
            **facts,
            image=self.config.image,
            chain_id=self.config.chain_id,
            core_chain_id=self._core.chain_id,
            pool_address=self.config.pool_address,
            wallet=self._wallet,
            tasks_started=self.tally.started,
            tasks_completed=self.tally.completed,
            tasks_running=len(self.tally.running),
            forced_stop=self._forced_stop,
            last_error=self._last_error,
            desired_running=self.wanted,
            platform_mismatch=self._platform_mismatch,
        )

    @property
    def running(self) -> bool:
        """Running, or about to: what a guard must stop."""
        return self._look.running or self._starting

    # Commands from the owner

    async def start(self) -> WorkerStatus:
        """The owner wants the worker running (the caller has asked the guards).

        A drain in flight is given up: its task finishes (the worker has had its SIGTERM), and
        the worker is started again once it has exited.
        """
        self._want(True)
        self._backoff.reset()
        self._platform_mismatch = None  # the owner may have built the image anew: look again
        self._end_drain()
        await self._start()
        return self.status()

    async def stop(self, *, drain: bool, grace: float | None) -> WorkerStatus:
        """The owner wants the worker stopped: drained (202, in the background) or killed now.

        Raises EngineUnavailableError when the engine does not answer: the stop is wanted all
        the same and happens when the engine is back.
        """
        self._stop_request = StopRequest(drain, grace)
        self._want(False)
        if drain:
            await self._begin_drain(self._grace(grace), reason="request")
        else:
            await self._kill()
        return self.status()

    async def guard_stop(self, grace: float) -> None:
        """A guard forbids running: drain the worker, and keep it wanted for when it clears.

        Never raises: what comes after (a clean shutdown before the power goes) must happen
        even when the Docker engine does not answer; the failure is in the faults.
        """
        await self._guard_drain(self._announce_drain(grace, "guard"))

    def guard_stop_soon(self, grace: float) -> None:
        """``guard_stop`` in the background; the state shows the drain from now on, so the very
        state that shows a guard tripping shows it acting."""
        self._spawn(self._guard_drain(self._announce_drain(grace, "guard")))

    async def _guard_drain(self, drain: Drain | None) -> None:
        if drain is not None:
            with contextlib.suppress(WorkerError):
                await self._signal_drain(drain)
        if self._drain is not None and self._drain.task is not None:
            # wait, not await: a forced stop that ends this drain early is no error here.
            await asyncio.wait({self._drain.task})

    # Keeping it there

    async def poll(self) -> None:
        """Look at the container; bring the worker back where it is wanted."""
        if self._core.due(time.monotonic()):
            self._spawn(self._ask_core())
        previous = self._look
        await self._refresh()
        if self._commands.locked() or self._drain is not None:
            return  # a command is moving it: look again next time
        if self.wanted and self._look.state in (WorkerState.STOPPED, WorkerState.NOT_CREATED):
            await self._restart(previous)
        elif not self.wanted and self._look.running:
            # A stop that lost a race with a start, or a bridge restarted mid-drain.
            request = self._stop_request
            if request.drain:
                await self._quietly(self._begin_drain(self._grace(request.grace), "request"))
            else:
                await self._quietly(self._kill())

    async def _ask_core(self) -> None:
        """Which chain the core serves: another than the config says is a fault in the state."""
        await asyncio.to_thread(self._core.ask)
        mismatch = self._core.mismatch()
        if mismatch is None:
            self._faults.recovered(CORE_FAULT)
        else:
            self._faults.failed(CORE_FAULT, mismatch)
        self._on_change()

    async def _restart(self, previous: ContainerLook) -> None:
        if self._refusal() is not None or self._platform_mismatch is not None:
            return
        if previous.state == WorkerState.RUNNING and self._look.exit_code not in (None, 0):
            waited = self._backoff.crashed()
            _LOGGER.warning(
                "worker exited with code %s; starting it again in %.0f s",
                self._look.exit_code,
                waited,
            )
        if self._backoff.due():
            await self._quietly(self._start())

    async def _quietly(self, command: Awaitable[Any]) -> None:
        """A command the bridge gives itself: a failure is in the faults, and it tries again."""
        with contextlib.suppress(WorkerError):
            await command

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

    async def _start(self) -> None:
        async with self._commands:
            if not self.wanted:
                return  # a later stop won
            self._starting = True
            self._on_change()
            try:
                await self._docker_command(WORKER_FAULT, self._engine.start)
            except PlatformMismatchError as err:
                self._platform_mismatch = self._last_error = str(err)
                raise
            finally:
                self._starting = False
        self._forced_stop, self._last_error = False, None
        await self._settle()

    async def _begin_drain(self, grace: float, reason: str) -> bool:
        """SIGTERM now, and a watch that kills at the deadline; False if it was not running."""
        drain = self._announce_drain(grace, reason)
        return True if drain is None else await self._signal_drain(drain)

    def _announce_drain(self, grace: float, reason: str) -> Drain | None:
        """Show a drain from now on; None when one is under way (it takes the new deadline:
        the latest command wins)."""
        deadline = time.monotonic() + grace
        if self._drain is not None:
            self._drain.deadline = deadline
            return None
        self._drain = Drain(deadline, grace, reason)
        self._on_change()
        return self._drain

    async def _signal_drain(self, drain: Drain) -> bool:
        signalled = False
        try:
            async with self._commands:
                signalled = await self._docker_command(WORKER_FAULT, self._engine.terminate)
        finally:
            if not signalled and self._drain is drain:
                self._drain = None
                self._on_change()
        if signalled and self._drain is drain:
            drain.task = asyncio.create_task(self._watch(drain))
        return signalled

    async def _watch(self, drain: Drain) -> None:
        """Wait for the worker to exit; kill it at the deadline."""
        try:
            while await self._on_docker(self._engine.is_running):
                if time.monotonic() >= drain.deadline:
                    await self._on_docker(self._engine.kill)
                    self._forced_stop = True
                    self._last_error = (
                        f"drain timed out after {drain.grace:.0f} s: the worker was killed"
                    )
                    break
                await asyncio.sleep(DRAIN_POLL)
            else:
                self._forced_stop = False
            forced = ", forced" if self._forced_stop else ""
            _LOGGER.info("worker stopped (%s%s)", drain.reason, forced)
        except WorkerError as err:
            # The engine went away mid-drain: the worker is still unwanted, and the next poll
            # once the engine is back drains it again.
            self._faults.failed(DOCKER_FAULT, err)
        finally:
            if self._drain is drain:
                self._drain = None
        await self._settle()

    def _end_drain(self) -> None:
        if self._drain is not None and self._drain.task is not None:
            self._drain.task.cancel()
        self._drain = None

    async def _kill(self) -> None:
        """A forced stop: it queues behind nothing, and ends any drain under way."""
        self._end_drain()
        if await self._docker_command(DOCKER_FAULT, self._engine.kill):
            _LOGGER.info("worker stopped (request, forced)")
            self._forced_stop = True
        await self._settle()

    async def _docker_command(self, fault: str, command: Callable[[], T]) -> T:
        """``command`` on the Docker pool; an engine outage or a refusal is a fault, then raised."""
        try:
            result = await self._on_docker(command)
        except EngineUnavailableError as err:
            self._faults.failed(DOCKER_FAULT, err)
            raise
        except WorkerError as err:
            self._faults.failed(fault, err)
            raise
        self._faults.recovered(fault)
        return result

    async def _settle(self) -> None:
        await self._refresh()
        self._on_change()

    def _grace(self, grace: float | None) -> float:
        return self.config.drain_timeout if grace is None else grace

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
        if self._drain is not None and self._drain.task is not None:
            await asyncio.wait({self._drain.task})

    async def close(self) -> None:
        """Stop watching. A drain under way goes on in the worker, which has had its SIGTERM;
        the next bridge to start picks it up (the worker is still unwanted)."""
        self._end_drain()
        for task in list(self._background):
            task.cancel()
        self._engine.close()
        # Docker calls are short (the client's timeout), but do not wait for ever.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(
                asyncio.to_thread(self._pool.shutdown, wait=True, cancel_futures=True),
                timeout=10,
            )


def _wallet_address(config: WorkerConfig) -> str | None:
    """The wallet's public address, read once: the container mounts that file as it is."""
    try:
        return keystore_address(config.wallet_file)
    except WalletError as err:
        _LOGGER.warning("%s", err)
        return None
