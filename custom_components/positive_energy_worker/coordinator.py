"""One coordinator per bridge, fed by its WebSocket push, polling only while the push is down."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .client import BridgeClient
from .const import DOMAIN, FALLBACK_POLL_INTERVAL, RECONNECT_DELAYS
from .errors import BridgeAuthError, BridgeClientError, BridgeConnectionError
from .helpers import translated
from .models import BridgeState, Deadbands

if TYPE_CHECKING:
    from .runtime_data import PEWConfigEntry

_LOGGER = logging.getLogger(__package__)


class PEWCoordinator(DataUpdateCoordinator[BridgeState]):
    """The bridge's state."""

    config_entry: PEWConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: PEWConfigEntry,
        client: BridgeClient,
        deadbands: Deadbands,
        low_voltage_cut: float,
    ) -> None:
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=DOMAIN,
            update_interval=FALLBACK_POLL_INTERVAL,
        )
        self.client = client
        self.deadbands = deadbands
        self.pushing = False
        # The Witty Pi's low-voltage cut that turning it on sets: the last one the bridge
        # reported (the bridge forgets it when the cut is turned off), at first a default.
        self.low_voltage_cut = low_voltage_cut
        # Set by a poll that reached the bridge: the push, if down, reconnects at once.
        self._answered = asyncio.Event()

    async def _async_update_data(self) -> BridgeState:
        try:
            state = await self.client.state()
        except BridgeClientError as err:
            raise translated(err, UpdateFailed) from err
        self._answered.set()
        return self._remember(state)

    def _remember(self, state: BridgeState) -> BridgeState:
        if state.witty_pi is not None and state.witty_pi.low_voltage_threshold is not None:
            self.low_voltage_cut = state.witty_pi.low_voltage_threshold
        return state

    def start_push(self) -> None:
        """Listen to the bridge's events for as long as the entry is loaded."""
        self.config_entry.async_create_background_task(
            self.hass, self._listen(), f"{DOMAIN} events {self.client.host}"
        )

    async def _listen(self) -> None:
        attempt = 0
        while True:
            try:
                async for state in self.client.events(self.deadbands):
                    if not self.pushing:
                        _LOGGER.debug("push from %s connected", self.client.host)
                        self.pushing = True
                        self.update_interval = None  # push works: no polling
                    attempt = 0
                    self.async_set_updated_data(self._remember(state))
            except BridgeAuthError:
                self.config_entry.async_start_reauth(self.hass)
                return
            except BridgeConnectionError as err:
                _LOGGER.debug("push from %s lost: %s", self.client.host, err)
            except BridgeClientError as err:  # a pushed state that does not parse
                _LOGGER.warning("push from %s failed: %s", self.client.host, err)
            self.pushing = False
            self.update_interval = FALLBACK_POLL_INTERVAL
            # Tell the entities now: a failed refresh makes them unavailable at once.
            await self.async_refresh()
            await self._back_off(RECONNECT_DELAYS[min(attempt, len(RECONNECT_DELAYS) - 1)])
            attempt += 1

    async def _back_off(self, delay: float) -> None:
        """Wait ``delay`` before the next connection; while the bridge is away, a fallback poll
        that reaches it again cuts the wait short (a bridge that answers polls but refuses the
        push waits out its back-off)."""
        if self.last_update_success:
            await asyncio.sleep(delay)
            return
        self._answered.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._answered.wait(), delay)
