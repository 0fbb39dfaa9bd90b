"""The compute window of one bridge: the policy run on every change, and auto mode.

Each change of a configured entity, each state the bridge pushes and a tick (so that delays and
minimum times expire in a quiet home) make an observation; the policy decides; the window's
entities show the result. In auto mode a decision that changes sends the worker its command from
within the very callback that saw the change: start, or stop with drain (the task in flight
finishes). Commands are serialised and the latest wins. A manual start or stop stands until the
window next changes its mind. The policy's timers survive a restart in a ``Store``.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from homeassistant.core import CALLBACK_TYPE, Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers.event import async_track_state_change_event, async_track_time_interval
from homeassistant.helpers.storage import Store
from homeassistant.util.dt import utcnow

from .const import DOMAIN
from .coordinator import PEWCoordinator
from .errors import BridgeClientError
from .idle import IdleReport
from .models import BridgeDevice
from .observation import Observer
from .policy import Decision, Policy
from .runtime_data import PEWConfigEntry
from .settings import AutoSettings

_LOGGER = logging.getLogger(__package__)

TICK: Final = timedelta(seconds=30)
STORAGE_VERSION: Final = 1
SAVE_DELAY: Final = 10.0  # s: a burst of decisions is one write


def policy_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    """Where one entry's policy timers are kept."""
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.policy")


@dataclass(frozen=True)
class WindowState:
    """What the window's entities show."""

    decision: Decision
    surplus_w: float | None  # smoothed; None while the source is unread
    surplus: bool  # the policy's: the surplus carries the worker
    idle: IdleReport


class ComputeWindow:
    """The policy of one config entry, fed by events; in auto mode it drives the worker."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: PEWConfigEntry,
        coordinator: PEWCoordinator,
        device: BridgeDevice,
        settings: AutoSettings,
    ) -> None:
        self.hass = hass
        self.entry = entry
        self.coordinator = coordinator
        self.device = device
        self.settings = settings
        self.auto = False
        self._store = policy_store(hass, entry.entry_id)
        self._policy = Policy(settings.policy)
        self._observer: Observer | None = None
        self._state: WindowState | None = None
        self._listeners: list[CALLBACK_TYPE] = []
        self._wanted: bool | None = None  # the command auto mode wants sent
        self._sending: asyncio.Task[None] | None = None
        self._save_pending = False

    @property
    def state(self) -> WindowState:
        assert self._state is not None, "the window has not started"
        return self._state

    @property
    def policy(self) -> Policy:
        return self._policy

    async def async_start(self) -> None:
        """Resume the saved timers, decide once, then follow every change."""
        saved = await self._store.async_load() or {}
        self._policy = Policy.from_dict(self.settings.policy, saved.get("policy", {}))
        self._observer = Observer(self.hass, self.settings, self.device, saved.get("observer", {}))
        self._evaluate()
        entry = self.entry
        entry.async_on_unload(
            async_track_state_change_event(self.hass, self._observer.tracked(), self._on_home)
        )
        entry.async_on_unload(self.coordinator.async_add_listener(self._on_bridge))
        entry.async_on_unload(async_track_time_interval(self.hass, self._on_tick, TICK))

    async def async_stop(self) -> None:
        """Write the timers now (an unload, a reload, Home Assistant stopping)."""
        await self._store.async_save(self._saved())

    def _saved(self) -> dict[str, Any]:
        self._save_pending = False  # called as the write happens: later changes need another
        observer = {} if self._observer is None else self._observer.to_dict()
        return {"policy": self._policy.to_dict(), "observer": observer}

    def _save_soon(self) -> None:
        # Store postpones a pending write at each call: ask once, and it writes what is then.
        if not self._save_pending:
            self._save_pending = True
            self._store.async_delay_save(self._saved, SAVE_DELAY)

    @callback
    def async_add_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call ``listener`` after every decision; returns what removes it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def set_auto(self, on: bool) -> None:
        """Auto mode on or off; turned on, it brings the worker in line with the window."""
        self.auto = on
        if on and self.state.decision.run != self._worker_wanted():
            self._command(self.state.decision.run)
        self._publish()

    @callback
    def _on_home(self, event: Event[EventStateChangedData]) -> None:
        self._evaluate()

    @callback
    def _on_bridge(self) -> None:
        self._evaluate()

    @callback
    def _on_tick(self, now: datetime) -> None:
        self._evaluate()

    @callback
    def _evaluate(self) -> None:
        """Observe, decide, and in auto mode act on a change, all in this callback."""
        assert self._observer is not None
        coordinator = self.coordinator
        bridge = coordinator.data if coordinator.last_update_success else None
        seen = self._observer.observe(utcnow().timestamp(), bridge)
        was_on = self._policy.state.on
        decision = self._policy.decide(seen.observation)
        if self.auto and decision.run != was_on:
            self._command(decision.run)
        self._save_soon()
        surplus = seen.surplus_w is not None and decision.surplus  # nothing read: no surplus
        self._state = WindowState(decision, seen.surplus_w, surplus, seen.idle)
        self._publish()

    @callback
    def _publish(self) -> None:
        for listener in list(self._listeners):
            listener()

    def _worker_wanted(self) -> bool:
        return self.coordinator.data.worker.wanted

    @callback
    def _command(self, run: bool) -> None:
        """Send ``run`` now: the request starts before this returns (an eager task)."""
        self._wanted = run
        if self._sending is None or self._sending.done():
            self._sending = self.entry.async_create_task(
                self.hass,
                self._send(),
                f"{DOMAIN} auto mode {self.coordinator.client.host}",
                eager_start=True,
            )

    async def _send(self) -> None:
        """Send until what was sent is what is wanted; nothing awaits after the last check, so
        a command asked for while this runs is never left behind."""
        client, sent = self.coordinator.client, None
        while self._wanted is not None and self._wanted != sent:
            sent = self._wanted
            try:
                if sent:
                    await client.start_worker()
                else:
                    await client.stop_worker(drain=True)
            except BridgeClientError as err:
                _LOGGER.warning(
                    "auto mode could not %s the worker: %s", "start" if sent else "drain", err
                )
            await self.coordinator.async_request_refresh()
