"""One cycle of reading the chain: the head, the balances at it, the events since the cursor.

No Home Assistant here (the coordinator adds the store, the repairs and the back-off), so the
benchmark runs the same cycle. Event ranges start at ``max_span`` blocks, halve when the node
refuses one, and grow back as they succeed; a long history is spread over cycles.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, tzinfo
from typing import Final

from .chain_ledger import Ledger
from .chain_reader import Balances, ChainReader, RangeRefusedError

# Public Arbitrum nodes answer 10 000-block ranges; a refusal halves the range down to one block.
MAX_SPAN: Final = 10_000
# A first scan of a long history is spread over cycles: entities update between them.
MAX_RANGES_PER_CYCLE: Final = 20


class ChainScanner:
    """The reads of a cycle, and the ledger they add to."""

    def __init__(
        self,
        reader: ChainReader,
        key: str,
        *,
        from_start: bool,
        save: Callable[[Ledger], Awaitable[None]],
        ledger: Ledger | None = None,
        timezone: tzinfo = UTC,
        max_span: int = MAX_SPAN,
    ) -> None:
        """``from_start``: a first scan reads from block 0 (a local chain), else from the head
        (a public chain's history is long: the totals start with the integration)."""
        self.reader = reader
        self.key = key
        self.from_start = from_start
        self.ledger = ledger
        self.max_span = max_span
        self.span = max_span
        # Ranges grow back only below the narrowest one refused: a node's limit is learned once.
        self.limit = max_span
        self._save = save
        self._timezone = timezone

    async def cycle(self, consumed_wh: float | None) -> tuple[Balances, Ledger]:
        """One block-number call, one batch of balances, a batch per event range."""
        head = await self.reader.head()
        balances = await self.reader.balances(head)
        return balances, await self.scan(head, consumed_wh)

    async def scan(self, head: int, consumed_wh: float | None) -> Ledger:
        """Read the events since the cursor up to ``head``; ``save`` after each range."""
        if self.ledger is None:
            start = -1 if self.from_start else head - 1
            self.ledger = Ledger(self.key, start, consumed_wh_at_start=consumed_wh)
        ledger = self.ledger
        if ledger.consumed_wh_at_start is None:
            ledger.consumed_wh_at_start = consumed_wh
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
                self.limit = min(self.limit, self.span - 1)
                self.span = max(1, self.span // 2)
                continue
            rewarded = {event.block for event in events if event.name == "Reward"}
            stamps = await self.reader.timestamps(rewarded)
            ledger.record(events, {block: self._day(stamp) for block, stamp in stamps.items()})
            ledger.cursor = last
            await self._save(ledger)
            self.span = min(self.limit, self.span * 2)
        return ledger

    def _day(self, timestamp: int) -> date:
        """The day of a block in the user's time zone: "today" is theirs."""
        return datetime.fromtimestamp(timestamp, self._timezone).date()
