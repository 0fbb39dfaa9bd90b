"""The chain step: anvil with the real iExec PoCo contracts (``tests/support/chain.py``), the
worker's wallet funded and staked, and the answers to the config flow's chain step.

Where ``./scripts/setup`` has not unpacked anvil, the step is skipped with a note and the flow's
chain step is answered with no chain: the energy side runs without it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

from tests.support import chain as support

CHAIN_STEP: Final = "chain"  # the config flow's step that asks for the chain and the wallet
NO_CHAIN: Final[Mapping[str, Mapping[str, Any]]] = {CHAIN_STEP: {"network": "none"}}
WORKER_RLC, WORKER_STAKE = 100, 40  # what the demo's worker holds and has staked, in RLC


@dataclass(frozen=True)
class ChainStep:
    """What the running chain hands the rest of the demo."""

    flow_answers: Mapping[str, Mapping[str, Any]]  # the config flow's chain step and its answers
    summary: str  # one line for the banner
    poco: support.Poco  # the deployed contracts: the local workerpool trades on them


@contextmanager
def chain() -> Iterator[ChainStep | None]:
    """The running chain, or None (with a printed note) when anvil is not installed."""
    if not support.ANVIL.exists():
        print(f"demo: chain skipped: anvil is not installed ({support.ANVIL}: run ./scripts/setup)")
        yield None
        return
    anvil = support.Anvil().start()
    try:
        poco = support.deploy(anvil.rpc_url)
        rlc = support.RLC
        support.fund_worker(poco, support.WORKER, rlc=WORKER_RLC * rlc, deposit=WORKER_STAKE * rlc)
        answer = {
            "network": "custom",
            "wallet": support.WORKER,
            "rpc_url": poco.rpc_url,
            "chain_id": poco.chain_id,
            "hub": poco.hub,
            "rlc": poco.rlc,
        }
        yield ChainStep(
            {CHAIN_STEP: answer},
            f"anvil on {poco.rpc_url} with PoCo at {poco.hub}; the worker {support.WORKER} "
            f"holds {WORKER_RLC} RLC, {WORKER_STAKE} of them staked",
            poco,
        )
    finally:
        anvil.stop()
