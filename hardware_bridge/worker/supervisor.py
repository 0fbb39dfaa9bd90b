"""The one owner of the worker's life: what is wanted, what is in flight, what happened.

Owners (Home Assistant, a person with curl) say what they want; the guards may hold it back; the
supervisor brings the container there and keeps it there — after a crash (with a growing
back-off, so a broken image cannot crash-loop), an engine restart, or a command that lost a race.

Commands are serialised: one start or drain talks to Docker at a time, and when a queued command's
turn comes it acts on what is wanted *then*, so the latest command wins. A forced stop does not
queue: it kills at once, under any drain in flight. The wanted state, the task tallies and the
log cursor are persisted in ``worker.json`` so a restart of the bridge loses none of them.

A guard is a level, not an edge: while one forbids running, every pass (each sample, each poll,
the first ones after a start of the bridge) drives the worker towards stopped — a drain, then a
kill at the guard's deadline, counted from when the guard first held — and tries again after an
engine that did not answer, so a trip that landed during an outage is carried out once it ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Annotated, Any, TypeVar

from hardware_bridge.base.faults import FaultTracker
from hardware_bridge.base.wire import Doc
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


@dataclass
class GuardHold:
    """A guard forbids running: the worker is driven to stopped, and kept there, until it clears."""

    since: float  # time.time(), for the state
    deadline: float  # time.monotonic(): a worker still running then is killed
    grace: float
    # Between attempts the engine refused (not between looks during an outage: the looks pace
    # those). Short, so that a refusal that passes costs little of the grace.
    retry: RestartBackoff = field(default_factory=lambda: RestartBackoff(1.0, 30.0, 1.0))
    last_error: str | None = None

    def report(self, stopped: bool) -> GuardHoldReport:
        left = self.deadline - time.monotonic()
        return GuardHoldReport(self.since, self.since + self.grace, stopped, self.last_error, left)


@dataclass(frozen=True)
class GuardHoldReport:
    """The hold as the state shows it: the guard and the worker converging."""

    since: Annotated[float, Doc("epoch s: when a guard first forbade running")]
    kill_at: Annotated[
        float, Doc("epoch s: a worker still running then is killed (since + drain_timeout)")
    ]
    worker_stopped: Annotated[
        bool,
        Doc("the last look saw the worker stopped (false while the engine does not answer)"),
    ]
    last_error: Annotated[
        str | None, Doc("why the last attempt to stop the worker failed; tried again")
    ]
    seconds_left: Annotated[
        float, Doc("until kill_at; negative when it is overdue (the engine did not answer)")
    ]


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
        guard_grace: float = 120.0,
    ) -> None:
        self.config = config
        self._faults = faults
        self._refusal = refusal  # why the guards forbid running now, or None
        self._guard_grace = guard_grace  # how long a guard lets the running task finish
        self._hold: GuardHold | None = None
        self._enforcing: asyncio.Task[None] | None = None
        self._asking: asyncio.Task[None] | None = None  # the core's chain, asked off the poll
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

    def hold_report(self) -> GuardHoldReport | None:
        """The guards' hold on the worker, or None when no guard forbids running."""
        if self._hold is None:
            return None
        return self._hold.report(stopped=self._stopped())

    async def guard_stop(self) -> None:
        """Drive the worker to stopped now for a guard, and wait for it (a clean shutdown
        follows). Never raises: what comes after must happen even when the Docker engine does
        not answer; the failure is in the faults, and the hold tries again."""
        await self.enforce_guards()
        if self._drain is not None and self._drain.task is not None:
            # wait, not await: a forced stop that ends this drain early is no error here.
            await asyncio.wait({self._drain.task})

    async def enforce_guards(self) -> None:
        """One pass of the guards' hold (a no-op when no guard forbids running)."""
        task = self.enforce_guards_soon()
        if task is not None:
            await asyncio.wait({task})

    def enforce_guards_soon(self) -> asyncio.Task[None] | None:
        """One pass of the guards' hold in the background; the pass in flight if there is one.

        What it does is decided now, from the last look, and a drain shows in the state from
        now on: the very state that shows a guard tripping shows it acting.
        """
        if self._enforcing is not None and not self._enforcing.done():
            return self._enforcing
        hold = self._guard_hold()
        if hold is None:
            return None
        step = self._guard_step(hold)
        if step is None:
            return None
        self._enforcing = asyncio.create_task(self._attempt(hold, step))
        return self._enforcing

    def _guard_hold(self) -> GuardHold | None:
        """The hold in force: made when a guard first forbids running, gone when none does."""
        if self._refusal() is None:
            self._hold = None
        elif self._hold is None:
            grace = self._guard_grace
            self._hold = GuardHold(time.time(), time.monotonic() + grace, grace)
        return self._hold

    def _stopped(self) -> bool:
        return self._look.state in (WorkerState.STOPPED, WorkerState.NOT_CREATED) and not (
            self._starting or self._drain is not None
        )

    def _guard_step(self, hold: GuardHold) -> Awaitable[Any] | None:
        """What the hold does next: None when there is nothing to do now."""
        if self._drain is not None:
            # The owner's drain or ours: the guard's deadline bounds it, and its watch kills.
            self._drain.deadline = min(self._drain.deadline, hold.deadline)
            return None
        if self._look.state == WorkerState.ERROR:
            return None  # the engine did not answer the last look: the next look tries again
        if not (self._look.running or self._starting) or not hold.retry.due():
            return None
        left = hold.deadline - time.monotonic()
        if left <= 0:
            return self._kill("guard")
        drain = self._announce_drain(left, "guard")
        return None if drain is None else self._signal_drain(drain)

    async def _attempt(self, hold: GuardHold, step: Awaitable[Any]) -> None:
        try:
            await step
        except EngineUnavailableError as err:
            hold.last_error = str(err)  # the next look that gets an answer tries again
        except WorkerError as err:
            hold.last_error = str(err)
            hold.retry.crashed()
        else:
            hold.last_error = None
            hold.retry.reset()
        self._on_change()

    # Keeping it there

    async def poll(self) -> None:
        """Look at the container; bring the worker back where it is wanted."""
        if self._core.due(time.monotonic()) and (self._asking is None or self._asking.done()):
            self._asking = asyncio.create_task(self._ask_core())
        previous = self._look
        await self._refresh()
        if self._guard_hold() is not None:
            await self.enforce_guards()
            return
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
        self._core.heard(await asyncio.to_thread(self._core.ask))
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
            try:
                await self._start()
            except EngineUnavailableError:
                pass  # in the faults; the next look finds the engine back, or not
            except WorkerError:
                # A start that cannot work as things are (a password file that is not UTF-8,
                # an image that cannot be pulled): tried again later, not on every look.
                self._backoff.crashed()

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
            if not self.wanted or self._refusal() is not None:
                return  # a later stop won, or a guard tripped while this start queued
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

    async def _kill(self, reason: str = "request") -> None:
        """A forced stop: it queues behind nothing, and ends any drain under way."""
        self._end_drain()
        if await self._docker_command(DOCKER_FAULT, self._engine.kill):
            _LOGGER.info("worker stopped (%s, forced)", reason)
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

    async def settled(self) -> None:
        """Wait for the drains in flight."""
        if self._enforcing is not None:
            await asyncio.wait({self._enforcing})
        if self._drain is not None and self._drain.task is not None:
            await asyncio.wait({self._drain.task})

    async def close(self) -> None:
        """Stop watching. A drain under way goes on in the worker, which has had its SIGTERM;
        the next bridge to start picks it up (the worker is still unwanted)."""
        self._end_drain()
        for task in (self._enforcing, self._asking):
            if task is not None:
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
