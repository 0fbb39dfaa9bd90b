"""What a workerpool's scheduler (iexec-core) publishes, asked as the real worker asks it.

The worker learns its chain from its core: ``GET /workers/config`` names the workerpool and the
config server, whose ``GET /config/chain`` names the chain (``docs/worker-contract.md``). Plain
``urllib``: the serving bridge never imports this, only ``hardware-bridge doctor``.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from hardware_bridge import strict_json
from hardware_bridge.errors import BridgeError

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
