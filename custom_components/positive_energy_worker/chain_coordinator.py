"""The chain coordinator: the worker's wallet, stake and events, polled over JSON-RPC.

A cycle (``chain_scan``) asks the node for its latest block (one call), the balances at that
block (one batch) and the events since the last block stored (one batch per block range). Here
is what Home Assistant adds: the ledger (cursor and totals, a confirmation depth behind the head)
stored after each range, so a restart resumes where it stopped; the back-off (the interval
doubles up to ``MAX_INTERVAL``, or follows a 429's Retry-After); the repairs for a wrong chain, a
node away or failing for long and low gas. Every failure of a read is a ``ChainError``: Home
Assistant logs one line when an outage begins and one when it ends, never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util
from web3 import AsyncWeb3

from .chain_data import Network
from .chain_ledger import Ledger
from .chain_provider import SessionHTTPProvider
from .chain_reader import (
    Balances,
    ChainError,
    ChainRateLimitedError,
    ChainReader,
    ChainUnreachableError,
)
from .chain_scan import ChainScanner
from .chain_settings import ChainSettings
from .const import DOMAIN

if TYPE_CHECKING:
    from .runtime_data import PEWConfigEntry
from .helpers import set_issue

_LOGGER = logging.getLogger(__package__)

POLL_INTERVAL: Final = timedelta(minutes=1)
MAX_INTERVAL: Final = timedelta(minutes=15)
# How long the node may stay away (or answer only errors) before a repair issue says so.
UNREACHABLE_REPAIR_AFTER: Final = timedelta(minutes=30)
STORE_VERSION: Final = 1
# The ledger is written at most this often (a Pi's SD card wears), and when the entry unloads;
# a crash loses at most this much of the cursor, and those blocks are read again, not history.
SAVE_DELAY_S: Final = 300
REQUEST_TIMEOUT: Final = 30


@dataclass(frozen=True)
class ChainState:
    """What the chain entities show: the balances at the last block read and the tallies."""

    balances: Balances
    ledger: Ledger  # the stored ledger's totals with the blocks above its cursor added
    gas_low: bool
    today: date


def chain_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    return Store(hass, STORE_VERSION, f"{DOMAIN}.chain.{entry_id}")


class ChainCoordinator(DataUpdateCoordinator[ChainState]):
    """One worker's economics on one chain."""

    config_entry: PEWConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: PEWConfigEntry,
        settings: ChainSettings,
        consumed_wh: Callable[[], float | None],
    ) -> None:
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} chain",
            update_interval=POLL_INTERVAL,
        )
        self.settings = settings
        # Reads the bridge's consumed-energy counter (None while unknown): the ledger notes it
        # when the scan begins.
        self._consumed_wh = consumed_wh
        provider = SessionHTTPProvider(
            settings.rpc_url, async_get_clientsession(hass), REQUEST_TIMEOUT
        )
        self.reader = ChainReader(AsyncWeb3(provider), settings.hub, settings.rlc, settings.wallet)
        self.store = chain_store(hass, entry.entry_id)
        self.scanner = ChainScanner(
            self.reader,
            f"{settings.chain_id}:{settings.hub}:{settings.wallet}".lower(),
            from_deployment=settings.network is Network.CUSTOM,
            save=self._save,
            depth=settings.confirmations,
            timezone=dt_util.get_default_time_zone(),
        )
        self._chain_checked = False
        self.failing_since: datetime | None = None  # when the reads began to fail (UTC)
        self._failures = 0

    async def async_load(self) -> None:
        """Load the ledger of this chain and wallet, if one was stored."""
        stored = await self.store.async_load()
        if stored and stored.get("key") == self.scanner.key:
            self.scanner.ledger = Ledger.from_dict(stored)

    @property
    def ledger(self) -> Ledger | None:
        """The stored ledger: the totals up to the confirmation depth."""
        return self.scanner.ledger

    async def _save(self, ledger: Ledger) -> None:
        """After each range: a restart resumes after the last block read."""
        self.store.async_delay_save(ledger.as_dict, SAVE_DELAY_S)

    async def _async_update_data(self) -> ChainState:
        try:
            state = await self._cycle()
        except ChainError as err:
            self._failed(err)
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="chain_unreachable",
                translation_placeholders={"error": str(err)},
            ) from err
        self._recovered()
        return state

    async def _cycle(self) -> ChainState:
        if not self._chain_checked:
            await self._check_chain()
        balances, ledger = await self.scanner.cycle(self._consumed_wh())
        gas_low = balances.native < self.settings.gas_low * 10**18
        self._issue("gas_low", active=gas_low, placeholders={"wallet": self.settings.wallet})
        return ChainState(balances, ledger, gas_low, dt_util.now().date())

    async def _check_chain(self) -> None:
        """The node must serve the chain the settings name: another chain's balances and
        events would be shown as this one's."""
        served = await self.reader.chain_id()
        wrong = served != self.settings.chain_id
        self._issue(
            "wrong_chain",
            active=wrong,
            placeholders={
                "rpc_url": self.settings.rpc_url,
                "expected": str(self.settings.chain_id),
                "served": str(served),
            },
        )
        if wrong:
            raise ChainUnreachableError(
                f"the node serves chain {served}, not {self.settings.chain_id}"
            )
        self._chain_checked = True

    def _failed(self, err: ChainError) -> None:
        """Back off: double the interval, or wait what a 429 asked."""
        now = dt_util.utcnow()
        self.failing_since = self.failing_since or now
        self._failures += 1
        if isinstance(err, ChainRateLimitedError) and err.retry_after:
            delay = timedelta(seconds=err.retry_after)
        else:
            delay = POLL_INTERVAL * 2 ** min(self._failures, 4)
        self.update_interval = min(delay, MAX_INTERVAL)
        if isinstance(err, ChainUnreachableError) and now - self.failing_since >= (
            UNREACHABLE_REPAIR_AFTER
        ):
            self._issue("rpc_unreachable", active=True, placeholders=self._where())

    def _recovered(self) -> None:
        self.failing_since = None
        self._failures = 0
        self.update_interval = POLL_INTERVAL
        self._issue("rpc_unreachable", active=False, placeholders=self._where())

    def _where(self) -> dict[str, str]:
        return {"rpc_url": self.settings.rpc_url}

    def _issue(self, kind: str, *, active: bool, placeholders: dict[str, str]) -> None:
        issue_id = f"{kind}_{self.config_entry.entry_id}"
        set_issue(self.hass, issue_id, kind, placeholders if active else None)

    async def async_shutdown(self) -> None:
        """The cursor is written as the entry unloads (and within minutes of every scan)."""
        await super().async_shutdown()
        if self.ledger is not None:
            await self.store.async_save(self.ledger.as_dict())
