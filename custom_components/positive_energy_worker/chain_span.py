"""How many blocks an ``eth_getLogs`` range asks for, learned from the node's refusals. Pure.

Only a refusal of the range moves it down (``chain_refusal`` tells one): to the limit the node
named, or halfway between the widest range it took and the narrowest it refused, so a node's
limit is found in a logarithmic number of refusals (a node that takes 2,000 blocks costs about
ten, not one per block). Ranges grow back as they succeed: by bisection up to the narrowest
refused, and, once there, by asking for that one again every so many ranges, since a limit by
results moves with how busy the chain is and a provider's plan can change.
"""

from __future__ import annotations

from typing import Final

# Public Arbitrum nodes answer 10 000-block ranges (publicnode says so in its refusal).
MAX_SPAN: Final = 10_000
# Full ranges taken at the limit before the refused width is asked for once more; each time it
# is refused again the wait doubles, so a limit that does not move costs few requests.
GROW_BACK_AFTER: Final = 16


class Span:
    """The width of the next range, between the widest taken and the narrowest refused."""

    def __init__(self, most: int = MAX_SPAN) -> None:
        self.most = most
        self.size = most
        self.refusals = 0  # since the start: the cost of learning, for the diagnostics
        self._taken = 0  # the widest range taken since the last refusal
        self._refused: int | None = None  # the narrowest range refused, while it stands
        self._streak = 0  # full ranges taken since the last refusal or probe
        self._patience = GROW_BACK_AFTER  # full ranges at the limit before a probe
        self._probe: int | None = None  # the width of a probe not yet answered

    def refused(self, width: int, limit: int | None = None) -> None:
        """The node refused ``width`` blocks, saying it takes ``limit`` (if it did)."""
        self.refusals += 1
        self._streak = 0
        if width == self._probe:
            self._patience *= 2
        self._probe = None
        self._refused = width if self._refused is None else min(self._refused, width)
        if limit is not None:
            # Its word, kept below what it just refused (limits are counted either way).
            limit = max(1, min(limit, width - 1))
            self._refused = min(self._refused, limit + 1)
        if self._taken >= self._refused:
            self._taken = 0  # what it took before it takes no more: the limit moved
        if limit is not None:
            self.size = limit
        else:
            self.size = max(1, (self._taken + self._refused) // 2)

    def taken(self, width: int) -> None:
        """The node answered ``width`` blocks; a range cut short by the head says nothing."""
        if width < self.size:
            return
        self._taken = max(self._taken, width)
        self._streak += 1
        if width == self._probe:
            self._patience = GROW_BACK_AFTER
        self._probe = None
        if self._refused is None:
            self.size = min(self.most, width * 2)
        elif self._refused - self._taken > 1:
            self.size = (self._taken + self._refused) // 2
        elif self._streak >= self._patience:
            # At the limit for a while: ask for the refused width again; if it is taken, the
            # limit is gone and ranges double again.
            self.size, self._probe, self._refused = self._refused, self._refused, None
