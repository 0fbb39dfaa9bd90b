"""One cycle of reading the chain: the head, the balances at it, the events since the cursor.

No Home Assistant here (the coordinator adds the store, the repairs and the back-off), so the
benchmark runs the same cycle.

A reorg can take back the last blocks, and a reward with them. So the ledger (what is stored)
holds only the events at least ``depth`` blocks below the head, where a reorg does not reach; the
cursor stays there. The blocks above it are read again every cycle and shown on top of the
ledger, never stored: after a reorg the next cycle shows what the canonical chain holds. In
steady state this is still one range a cycle (the depth plus the new blocks). Ranges are as wide
as ``Span`` has learned the node takes; a long history is spread over cycles.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, tzinfo
from typing import Final

from .chain_data import WorkerEvent
from .chain_ledger import Ledger
from .chain_reader import Balances, ChainReader, RangeRefusedError
from .chain_span import MAX_SPAN, Span

# A first scan of a long history is spread over cycles: entities update between them.
MAX_RANGES_PER_CYCLE: Final = 20


class ChainScanner:
    """The reads of a cycle, and the ledger they add to."""

    def __init__(
        self,
        reader: ChainReader,
        key: str,
        *,
        from_deployment: bool,
        save: Callable[[Ledger], Awaitable[None]],
        depth: int = 0,
        ledger: Ledger | None = None,
        timezone: tzinfo = UTC,
        max_span: int = MAX_SPAN,
    ) -> None:
        """``from_deployment``: a first scan reads from the block the hub was deployed in, if the
        node can tell it (a custom chain), else from the head (a public chain's history is long:
        the totals start with the integration). ``depth``: the confirmation depth, in blocks."""
        self.reader = reader
        self.key = key
        self.from_deployment = from_deployment
        self.depth = depth
        self.ledger = ledger
        self.span = Span(max_span)
        self._save = save
        self._timezone = timezone

    async def cycle(self, consumed_wh: float | None) -> tuple[Balances, Ledger]:
        """One block-number call, one batch of balances, a batch per event range: the balances
        at the head and the totals up to it (the ledger's, and the blocks above its cursor)."""
        head = await self.reader.head()
        balances = await self.reader.balances(head)
        return balances, await self.scan(head, consumed_wh)

    async def scan(self, head: int, consumed_wh: float | None) -> Ledger:
        """Read the events since the cursor up to ``head``: those ``depth`` blocks deep go into
        the ledger (``save`` after each range that moved it); the totals with the rest added
        come back, in a copy."""
        ledger = self.ledger or await self._start(head, consumed_wh)
        if ledger.consumed_wh_at_start is None:
            ledger.consumed_wh_at_start = consumed_wh
        settled = head - self.depth  # the newest block a reorg is taken not to reach
        recent: list[WorkerEvent] = []
        days: dict[int, date] = {}
        read = ledger.cursor  # the last block read in this cycle
        for _ in range(MAX_RANGES_PER_CYCLE):
            if read >= head:
                break
            first = read + 1
            last = min(head, first + self.span.size - 1)
            try:
                events = await self.reader.events(first, last)
            except RangeRefusedError as err:
                if last == first:
                    raise  # one block refused: nothing narrower to ask for
                self.span.refused(last - first + 1, err.limit)
                continue
            self.span.taken(last - first + 1)
            days.update(await self._days(events))
            recent += [event for event in events if event.block > settled]
            if (cursor := min(last, settled)) > ledger.cursor:
                ledger.record([event for event in events if event.block <= settled], days)
                ledger.cursor = cursor
                await self._save(ledger)
            read = last
        shown = Ledger.from_dict(ledger.as_dict())
        shown.record(recent, days)
        return shown

    async def _start(self, head: int, consumed_wh: float | None) -> Ledger:
        first = head
        if self.from_deployment and (deployed := await self.reader.deployed_at(head)) is not None:
            first = deployed
        self.ledger = Ledger(self.key, first - 1, consumed_wh_at_start=consumed_wh)
        await self._save(self.ledger)  # where the history starts, before the depth is reached
        return self.ledger

    async def _days(self, events: list[WorkerEvent]) -> dict[int, date]:
        """The day of each block that holds a reward, in the user's time zone: "today" is
        theirs."""
        stamps = await self.reader.timestamps({e.block for e in events if e.name == "Reward"})
        return {
            block: datetime.fromtimestamp(stamp, self._timezone).date()
            for block, stamp in stamps.items()
        }
