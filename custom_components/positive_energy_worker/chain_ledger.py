"""The worker's tallies from its events, and how far the chain has been read. Pure Python.

The ledger is what a restart must not lose: the last block scanned (the next scan starts after
it) and the totals of everything scanned so far. It is stored as a plain dict, keyed to the
chain, hub and wallet it was read from, so a change of any of them starts a fresh one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Final

from .chain_data import WorkerEvent

# Rewards per day are kept this long: "today" needs one, the rest is for a glance back.
DAYS_KEPT: Final = 8


@dataclass
class Ledger:
    """Totals in nRLC and counts, from the first block scanned to ``cursor``."""

    key: str  # chain id, hub and wallet: what the totals are about
    cursor: int  # the last block scanned; the next scan starts after it
    rewards: int = 0
    seized: int = 0
    locked: int = 0  # stake locked by contributions, over time (frozenOf is the present)
    unlocked: int = 0
    contributions: int = 0
    accurate: int = 0
    faulty: int = 0
    rewards_by_day: dict[str, int] = field(default_factory=dict)  # ISO date: nRLC
    # The bridge's consumed-energy counter when the scan began: the kWh the rewards are
    # weighed against are those since then.
    consumed_wh_at_start: float | None = None

    def record(self, events: list[WorkerEvent], days: Mapping[int, date]) -> None:
        """Add ``events``; ``days`` gives the day of each block that holds a reward."""
        for event in events:
            if event.name == "Reward":
                self.rewards += event.amount
                day = days[event.block].isoformat()
                self.rewards_by_day[day] = self.rewards_by_day.get(day, 0) + event.amount
            elif event.name == "Seize":
                self.seized += event.amount
            elif event.name == "Lock":
                self.locked += event.amount
            elif event.name == "Unlock":
                self.unlocked += event.amount
            elif event.name == "TaskContribute":
                self.contributions += 1
            elif event.name == "AccurateContribution":
                self.accurate += 1
            elif event.name == "FaultyContribution":
                self.faulty += 1
        for day in sorted(self.rewards_by_day)[:-DAYS_KEPT]:
            del self.rewards_by_day[day]

    def rewards_on(self, day: date) -> int:
        return self.rewards_by_day.get(day.isoformat(), 0)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Ledger:
        known = cls.__dataclass_fields__
        return cls(**{key: value for key, value in data.items() if key in known})
