"""The chains a worker can be on and what is read there, from iExec's deployment records.

Pure Python.

``poco.json`` is made from the npm packages by ``python -m tests.support.poco_data`` (a test
checks it still matches them): the presets' contract addresses and the ABI fragments the
coordinator uses. The public RPC URLs are Arbitrum's own; a user can name another.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Final


class Network(StrEnum):
    """The chain the worker is paid on."""

    NONE = "none"  # no chain: the integration shows the energy only
    ARBITRUM = "arbitrum"
    ARBITRUM_SEPOLIA = "arbitrum_sepolia"
    CUSTOM = "custom"


@dataclass(frozen=True)
class Deployment:
    """Where PoCo lives on one chain."""

    chain_id: int
    hub: str
    rlc: str
    rpc_url: str


# Read once at import (Home Assistant imports integrations in its executor).
_DATA: Final[dict[str, Any]] = json.loads((Path(__file__).parent / "poco.json").read_text())
PUBLIC_RPC: Final = {
    Network.ARBITRUM: "https://arb1.arbitrum.io/rpc",
    Network.ARBITRUM_SEPOLIA: "https://sepolia-rollup.arbitrum.io/rpc",
}
PRESETS: Final = {
    network: Deployment(rpc_url=rpc_url, **_DATA["networks"][network])
    for network, rpc_url in PUBLIC_RPC.items()
}
# The confirmation depth, in blocks: events this deep are stored, those above are read again
# each cycle (``chain_scan``). Arbitrum's blocks come from its sequencer at once and are taken
# back only when its soft confirmations and the batches it posts to Ethereum disagree, which is
# rare and shallow; indexers such as Ponder hold 240 Arbitrum blocks (a minute at ~4 a second)
# for final, and so do we (a deeper reorg would stay counted). A custom chain may be anything:
# 64 blocks are two Ethereum epochs (a proof-of-stake chain's finality at 12 s a block), and
# only cost reading them again each cycle.
CONFIRMATIONS: Final = {
    Network.ARBITRUM: 240,
    Network.ARBITRUM_SEPOLIA: 240,
    Network.CUSTOM: 64,
}
HUB_ABI: Final[list[dict[str, Any]]] = _DATA["hub_abi"]
TOKEN_ABI: Final[list[dict[str, Any]]] = _DATA["token_abi"]
# RLC's decimals (the token's and the escrow's); the native coin's are 18.
RLC_DECIMALS: Final = 9


@dataclass(frozen=True)
class WorkerEvent:
    """One of the protocol's events about the worker."""

    name: str
    block: int
    amount: int  # nRLC for the escrow's events, 0 for contributions
    task: str  # the task it concerns (the escrow's ``ref``; empty for a lock)
