"""The chain coordinator: the worker's wallet, stake and events, polled over JSON-RPC.

A cycle asks the node for its latest block (one call), the balances at that block (one batch)
and the events since the last block scanned (one batch per block range). Ranges start at
``MAX_SPAN`` blocks, halve when the node refuses one and grow back as they succeed. Failures
back off: the interval doubles up to ``MAX_INTERVAL`` (or follows a 429's Retry-After). The
ledger (cursor and totals) is stored after each scan, so a restart resumes where it stopped.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
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
    RangeRefusedError,
)
from .chain_settings import ChainSettings
from .const import DOMAIN

_LOGGER = logging.getLogger(__package__)

POLL_INTERVAL: Final = timedelta(minutes=1)
MAX_INTERVAL: Final = timedelta(minutes=15)
# Public Arbitrum nodes answer 10 000-block ranges; a refusal halves the range down to one block.
MAX_SPAN: Final = 10_000
# A first scan of a long history is spread over cycles: entities update between them.
MAX_RANGES_PER_CYCLE: Final = 20
# How long the node may stay away before a repair issue says so.
UNREACHABLE_REPAIR_AFTER: Final = timedelta(minutes=30)
STORE_VERSION: Final = 1
REQUEST_TIMEOUT: Final = 30


@dataclass(frozen=True)
class ChainState:
    """What the chain entities show: the balances at the last block read and the tallies."""

    balances: Balances
    ledger: Ledger
    gas_low: bool
    today: date


def chain_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    return Store(hass, STORE_VERSION, f"{DOMAIN}.chain.{entry_id}")


class ChainCoordinator(DataUpdateCoordinator[ChainState]):
    """One worker's economics on one chain."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        settings: ChainSettings,
        consumed_wh: Any,
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
        self.ledger: Ledger | None = None
        self.span = MAX_SPAN
        self._chain_checked = False
        self._failing_since: float | None = None
        self._failures = 0
        self._key = f"{settings.chain_id}:{settings.hub}:{settings.wallet}".lower()

    async def async_load(self) -> None:
        """Load the ledger of this chain and wallet, if one was stored."""
        stored = await self.store.async_load()
        if stored and stored.get("key") == self._key:
            self.ledger = Ledger.from_dict(stored)

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
        head = await self.reader.head()
        balances = await self.reader.balances(head)
        ledger = await self._scan(head)
        gas_low = balances.native < self.settings.gas_low * 10**18
        self._issue("gas_low", active=gas_low, placeholders={"wallet": self.settings.wallet})
        # A copy: the ledger goes on changing under the next cycle's scan.
        return ChainState(
            balances, Ledger.from_dict(ledger.as_dict()), gas_low, dt_util.now().date()
        )

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

    async def _scan(self, head: int) -> Ledger:
        """Read the events since the cursor, a range at a time, storing after each."""
        ledger = self.ledger
        if ledger is None:
            # A custom chain (a local node) is read from its first block; on a public chain
            # the history is long and the totals start now.
            start = -1 if self.settings.network is Network.CUSTOM else head - 1
            ledger = Ledger(self._key, start, consumed_wh_at_start=self._consumed_wh())
            self.ledger = ledger
        if ledger.consumed_wh_at_start is None:
            ledger.consumed_wh_at_start = self._consumed_wh()
        for _ in range(MAX_RANGES_PER_CYCLE):
            first = ledger.cursor + 1
            if first > head:
                break
            last = min(head, first + self.span - 1)
            try:
                events = await self.reader.events(first, last)
            except RangeRefusedError:
                if self.span == 1:
                    raise
                self.span = max(1, self.span // 2)
                continue
            rewarded = {event.block for event in events if event.name == "Reward"}
            stamps = await self.reader.timestamps(rewarded)
            days = {block: _day(stamp) for block, stamp in stamps.items()}
            ledger.record(events, days)
            ledger.cursor = last
            await self.store.async_save(ledger.as_dict())
            self.span = min(MAX_SPAN, self.span * 2)
        return ledger

    def _failed(self, err: ChainError) -> None:
        """Back off: double the interval, or wait what a 429 asked."""
        now = time.monotonic()
        self._failing_since = self._failing_since or now
        self._failures += 1
        if isinstance(err, ChainRateLimitedError) and err.retry_after:
            delay = timedelta(seconds=err.retry_after)
        else:
            delay = POLL_INTERVAL * 2 ** min(self._failures, 4)
        self.update_interval = min(delay, MAX_INTERVAL)
        away = timedelta(seconds=now - self._failing_since)
        if isinstance(err, ChainUnreachableError) and away >= UNREACHABLE_REPAIR_AFTER:
            self._issue("rpc_unreachable", active=True, placeholders=self._where())

    def _recovered(self) -> None:
        self._failing_since = None
        self._failures = 0
        self.update_interval = POLL_INTERVAL
        self._issue("rpc_unreachable", active=False, placeholders=self._where())

    def _where(self) -> dict[str, str]:
        return {"rpc_url": self.settings.rpc_url}

    def _issue(self, kind: str, *, active: bool, placeholders: dict[str, str]) -> None:
        issue_id = f"{kind}_{self.config_entry.entry_id}" if self.config_entry else kind
        if not active:
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)
            return
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=kind,
            translation_placeholders=placeholders,
        )

    async def async_shutdown(self) -> None:
        """The cursor is written as the entry unloads (it is after every scan too)."""
        await super().async_shutdown()
        if self.ledger is not None:
            await self.store.async_save(self.ledger.as_dict())


def _day(timestamp: int) -> date:
    """The local day of a block's timestamp: "today" is the user's day."""
    return dt_util.as_local(datetime.fromtimestamp(timestamp, UTC)).date()
