"""The chain step: anvil with the real iExec PoCo contracts, the worker's wallet funded, and the
answers to the integration's chain step of the config flow.

The chain itself comes with ``tests/support/chain.py`` (issue 12); this step only drives it. It
takes, in order of preference:

- ``demo_chain(directory)``: a context manager of that module that starts the chain and yields
  a :class:`ChainStep` (the config flow's answers and a line for the banner);
- else its building blocks as they stand (``Anvil``, ``deploy``, ``fund_worker``, ``WORKER``):
  anvil on a free port, PoCo deployed, the worker given RLC and a stake, the integration's chain
  step answered with that custom network.

Where neither is there (or anvil is not installed), the step is skipped with a note, and a
config flow that asks for a chain is told there is none.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol, cast

from .settings import DemoSettings

SUPPORT = "tests.support.chain"
CHAIN_STEP = "chain"  # the config flow's step that asks for the chain and the wallet
NO_CHAIN: Mapping[str, Mapping[str, Any]] = {CHAIN_STEP: {"network": "none"}}
WORKER_RLC, WORKER_STAKE = 100, 40  # what the demo's worker holds and has staked, in RLC


class ChainStep(Protocol):
    """What a running chain hands the rest of the demo."""

    @property
    def flow_answers(self) -> Mapping[str, Mapping[str, Any]]:
        """The config flow's chain steps, by step id, and what to answer in each."""

    @property
    def summary(self) -> str:
        """One line for the banner: the RPC URL, the worker's address, its balance."""


@dataclass(frozen=True)
class LocalChain:
    """A chain this module started from the support's building blocks."""

    flow_answers: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    summary: str = ""


class StartsChain(Protocol):
    def __call__(self, directory: Path) -> AbstractContextManager[ChainStep]: ...


@contextmanager
def _from_blocks(support: ModuleType) -> Iterator[ChainStep]:
    """Anvil, PoCo, a funded worker: the integration's chain step answered with them."""
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
        yield LocalChain(
            {CHAIN_STEP: answer},
            f"anvil on {poco.rpc_url} with PoCo at {poco.hub}; the worker {support.WORKER} "
            f"holds {WORKER_RLC} RLC, {WORKER_STAKE} of them staked",
        )
    finally:
        anvil.stop()


def _starter() -> tuple[StartsChain | None, str]:
    """The chain support's entry point, or why there is none."""
    if importlib.util.find_spec(SUPPORT) is None:
        return None, "this version has no chain support (tests/support/chain.py)"
    support = importlib.import_module(SUPPORT)
    if (start := getattr(support, "demo_chain", None)) is not None:
        return cast(StartsChain, start), ""
    blocks = ("Anvil", "deploy", "fund_worker", "WORKER", "RLC", "ANVIL")
    if not all(hasattr(support, name) for name in blocks):
        return None, f"{SUPPORT} has neither demo_chain() nor {', '.join(blocks)}"
    if not Path(support.ANVIL).exists():
        return None, f"anvil is not installed ({support.ANVIL}: run ./scripts/setup)"
    return lambda _directory: _from_blocks(support), ""


@contextmanager
def chain(settings: DemoSettings) -> Iterator[ChainStep | None]:
    """The running chain, or None (with a printed note) when this version has none."""
    start, missing = _starter()
    if start is None:
        print(f"demo: chain skipped: {missing}")
        yield None
        return
    with start(settings.directory / "chain") as step:
        yield step
