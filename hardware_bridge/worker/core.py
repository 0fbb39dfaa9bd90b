"""What a workerpool's scheduler (iexec-core) publishes, asked as the real worker asks it.

The worker learns its chain from its core: ``GET /workers/config`` names the workerpool and the
config server, whose ``GET /config/chain`` names the chain (``docs/worker-contract.md``). The
bridge asks now and then (``CoreWatch``) and reports it; ``hardware-bridge doctor`` asks once.
Plain ``urllib`` in a thread: a question every quarter of an hour needs no client library.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from hardware_bridge.base import strict_json
from hardware_bridge.base.errors import BridgeError

TIMEOUT = 10.0
_MAX_DOCUMENT = 64 * 1024


class CoreError(BridgeError):
    """The core, or its config server, did not give a usable answer; the message says which."""


@dataclass(frozen=True)
class CoreChain:
    """The workerpool a core schedules and the chain its config server serves."""

    pool_address: str
    config_server: str
    chain_id: int


def _get(url: str, timeout: float) -> dict[str, Any]:
    if not url.startswith(("http://", "https://")):
        raise CoreError(f"{url!r} is not an http(s) URL")
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            raw = response.read(_MAX_DOCUMENT + 1)
    except urllib.error.HTTPError as err:
        raise CoreError(f"GET {url}: HTTP {err.code}") from err
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise CoreError(f"GET {url}: {reason}") from err
    try:
        return strict_json.loads_object(raw)
    except strict_json.JsonError as err:
        raise CoreError(f"GET {url}: {err}") from err


def ask_core(core_url: str, timeout: float = TIMEOUT) -> CoreChain:
    """The core's workerpool and chain, by the two requests the worker makes at start."""
    public = _get(core_url.rstrip("/") + "/workers/config", timeout)
    pool, server = public.get("workerPoolAddress"), public.get("configServerUrl")
    if not isinstance(pool, str) or not isinstance(server, str) or not server:
        raise CoreError(f"{core_url}/workers/config has no workerPoolAddress or configServerUrl")
    chain = _get(server.rstrip("/") + "/config/chain", timeout)
    chain_id = chain.get("chainId")
    if isinstance(chain_id, bool) or not isinstance(chain_id, int):
        raise CoreError(f"{server}/config/chain has no chainId")
    return CoreChain(pool, server, chain_id)


# How often the bridge asks the core again: a core may be moved to another chain, but not often.
ASK_EVERY = 900.0


class CoreWatch:
    """The chain the worker's core serves, asked at start and every ``ASK_EVERY`` seconds.

    ``chain_id`` is None until the core has answered (or while it does not: a core that is away
    says nothing of its chain); ``mismatch`` says when it serves another chain or workerpool than
    the config names, which the worker would then earn on without the owner knowing.
    """

    def __init__(self, core_url: str, chain_id: int, pool_address: str) -> None:
        self._core_url = core_url
        self._chain_id = chain_id
        self._pool_address = pool_address
        self._next = 0.0
        self.served: CoreChain | None = None

    def due(self, now: float) -> bool:
        """Whether to ask now; asking is then booked, so one question is in flight at a time."""
        if now < self._next:
            return False
        self._next = now + ASK_EVERY
        return True

    def ask(self) -> CoreChain | None:
        """Ask the core (blocking, a few seconds at most): call it from a thread.

        The answer is returned, not kept: the caller keeps it with ``heard`` on the event loop, so
        the chain and the fault it may raise are published together, never one without the other.
        """
        try:
            return ask_core(self._core_url, timeout=5.0)
        except CoreError:
            return None

    def heard(self, served: CoreChain | None) -> None:
        """Keep the core's last answer (None: it did not answer)."""
        self.served = served

    @property
    def chain_id(self) -> int | None:
        return None if self.served is None else self.served.chain_id

    def mismatch(self) -> str | None:
        """What the core serves that the config does not say, or None."""
        served = self.served
        if served is None:
            return None
        if served.chain_id != self._chain_id:
            return (
                f"the core serves chain {served.chain_id}, not [worker] chain_id {self._chain_id}"
            )
        if served.pool_address.lower() != self._pool_address.lower():
            return (
                f"the core schedules the workerpool {served.pool_address}, "
                f"not [worker] pool_address {self._pool_address}"
            )
        return None
