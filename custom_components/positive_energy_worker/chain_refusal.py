"""Which JSON-RPC errors refuse an ``eth_getLogs`` range, and what range they would take. Pure.

Nodes and providers limit ``eth_getLogs`` by blocks or by results, each in its own words, and
some say the limit: a refusal is recognised by its wording, and a limit it names is used as is.
Anything else (an internal error, a node behind the head, a missing key) is not a refusal: a
smaller range would not help, so it must not shrink the range. The wordings were collected from
providers' answers quoted in their documentation and issue threads (2024-2026); a wording not
known here is an ordinary error (backed off), which costs time, never data.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Final

_NUMBER: Final = r"(?P<n>\d[\d,.]*k?)"
# A limit in blocks that the node names, by provider or node software.
_LIMITS: Final = tuple(
    re.compile(pattern)
    for pattern in (
        # publicnode and geth's forks "exceed maximum block range: 50000", reth "query exceeds
        # max block range 100000", Cloudflare "Max range: 800", cdk-erigon "block range too
        # large, max range: 1000", morph "max block range = 5000", "max block range of 10000"
        rf"max(?:imum)?(?: block)? range(?: is| of)?\s*[:=]?\s*{_NUMBER}",
        rf"range \d+ exceeds limit of {_NUMBER}",  # Infura
        rf"limited to an? {_NUMBER} (?:block )?range",  # QuickNode, Blast, 1RPC
        rf"limited to {_NUMBER} blocks?",  # BlockPI
        rf"up to an? {_NUMBER} block range",  # Alchemy (also "up to a 2K block range")
        rf"block range is too wide \(maximum {_NUMBER}\)",  # Moonbeam, Frontier
        rf"allowed for your plan \(\d+ > {_NUMBER}\)",  # Blast (in the error's data)
        rf"maximum is set to {_NUMBER}",  # Avalanche
        rf"allowed number of requested blocks is {_NUMBER}",  # thirdweb
        rf"limit the query to at most {_NUMBER} blocks",  # Coinbase
        rf"block range (?:exceeds|greater than) {_NUMBER}",
        rf"max is {_NUMBER} blocks",
    )
)
# A range the node suggests instead (fitted to its result limit): its length is the limit.
_HEX_RANGE: Final = r"\[0x(?P<a>[0-9a-f]+), ?0x(?P<b>[0-9a-f]+)\]"
_SUGGESTED: Final = (
    # Infura "Try with this block range [0x1, 0x2]", Alchemy "this block range should work: [...]"
    (re.compile(rf"(?:this block range|should work:?) {_HEX_RANGE}"), 16),
    (re.compile(r"retry with the range (?P<a>\d+)-(?P<b>\d+)"), 10),  # reth's result limit
)
# Refusals that name no limit: by blocks, or by results (the node's own, or its provider's).
_REFUSED: Final = re.compile(
    "|".join(
        (
            r"block range (?:is )?(?:too|bigger|larger|greater|limit exceeded)",
            r"range (?:is )?too (?:large|wide|big|high)",
            r"exceeds? (?:the )?max(?:imum)? block range",
            r"returned more than \d+ results",  # geth, Infura, zkEVM
            r"exceeds? max results",  # reth
            r"logs matched by query exceeds limit",  # Arbitrum's Nitro
            r"too many (?:blocks|results|logs)",
            r"response size (?:exceeded|should not)",  # Alchemy, 1RPC
            r"response too large",  # Optimism's proxy
        )
    )
)


@dataclass(frozen=True)
class Refusal:
    """A node's refusal of an ``eth_getLogs`` range."""

    limit: int | None  # the most blocks it would take, when it says


def range_refusal(error: object) -> Refusal | None:
    """The refusal ``error`` (a JSON-RPC error object, or its text) makes, if it is one."""
    text = (error if isinstance(error, str) else json.dumps(error)).lower()
    for pattern in _LIMITS:
        if match := pattern.search(text):
            return Refusal(_blocks(match.group("n")))
    for pattern, base in _SUGGESTED:
        if match := pattern.search(text):
            return Refusal(int(match.group("b"), base) - int(match.group("a"), base) + 1)
    return Refusal(None) if _REFUSED.search(text) else None


def _blocks(number: str) -> int:
    """ "10,000", "10.000" and "10k" are ten thousand blocks."""
    thousands = number.endswith("k")
    value = int(re.sub(r"[,.]", "", number.removesuffix("k")))
    return value * 1000 if thousands else value
