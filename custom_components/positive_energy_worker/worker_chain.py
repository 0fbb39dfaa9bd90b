"""One chain for both halves: the worker the bridge runs against the chain the sensors read.

The bridge reports the chain its worker earns on (the one its core serves), the workerpool and
the wallet's public address. A worker on another chain, or signing with another wallet, would
earn where the chain sensors never look: they would show nothing of it. Each difference is a
repair issue, as is an image the Pi cannot run (built for another platform).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .chain_settings import ChainSettings
from .helpers import set_issue
from .models import WorkerStatus

WORKER_CHAIN: Final = "worker_chain"
WORKER_WALLET: Final = "worker_wallet"
WORKER_PLATFORM: Final = "worker_platform"
ISSUES: Final = (WORKER_CHAIN, WORKER_WALLET, WORKER_PLATFORM)


def worker_issues(worker: WorkerStatus, chain: ChainSettings | None) -> dict[str, dict[str, str]]:
    """The repair issues in force, each with its placeholders; pure, for tests and the listener."""
    issues: dict[str, dict[str, str]] = {}
    # The core's word when it has answered: the worker earns where its core serves.
    earns_on = worker.chain_id if worker.core_chain_id is None else worker.core_chain_id
    if chain is not None and earns_on != chain.chain_id:
        issues[WORKER_CHAIN] = {"worker": str(earns_on), "sensors": str(chain.chain_id)}
    # A wallet the bridge cannot read (null) is the bridge's own fault to report, not a mismatch.
    if chain is not None and worker.wallet is not None and worker.wallet != chain.wallet.lower():
        issues[WORKER_WALLET] = {"worker": worker.wallet, "sensors": chain.wallet}
    if worker.platform_mismatch is not None:
        issues[WORKER_PLATFORM] = {"reason": worker.platform_mismatch}
    return issues


@dataclass
class WorkerChainCheck:
    """Keeps the repair issues of one entry in line with its bridge's worker."""

    hass: HomeAssistant
    entry: ConfigEntry[Any]
    chain: ChainSettings | None
    _shown: Mapping[str, Mapping[str, str]] | None = None

    @callback
    def update(self, worker: WorkerStatus) -> None:
        """Raise and clear the issues; only on a change (the push brings a state a second)."""
        issues = worker_issues(worker, self.chain)
        if issues == self._shown:
            return
        self._shown = issues
        for kind in ISSUES:
            found = issues.get(kind)
            set_issue(
                self.hass,
                issue_id(kind, self.entry.entry_id),
                kind,
                None if found is None else dict(found),
                ir.IssueSeverity.ERROR,
            )


def issue_id(kind: str, entry_id: str) -> str:
    """One issue of each kind per entry (per bridge)."""
    return f"{kind}_{entry_id}"
