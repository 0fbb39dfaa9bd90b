"""The worker's wallet as the bridge sees it: a keystore file whose public address it reports.

The bridge never decrypts the key: the address is the keystore's own ``address`` field
(Ethereum keystore v3 keeps it in clear, lower case, without ``0x``). ``hardware-bridge doctor``
is what checks the password unlocks that address.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hardware_bridge.base import strict_json
from hardware_bridge.base.errors import BridgeError

_HEX_ADDRESS = re.compile(r"(?:0x)?([0-9a-fA-F]{40})")
# A keystore is a few hundred bytes; anything much larger is not one.
_MAX_KEYSTORE = 64 * 1024


class WalletError(BridgeError):
    """The wallet file cannot be read as a keystore; the message says why."""


def read_keystore(path: Path) -> dict[str, Any]:
    """The keystore's JSON object."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(_MAX_KEYSTORE + 1)
    except OSError as err:
        raise WalletError(f"cannot read the wallet {path}: {err.strerror or err}") from err
    if len(raw) > _MAX_KEYSTORE:
        raise WalletError(f"the wallet {path} is too large to be a keystore")
    try:
        return strict_json.loads_object(raw)
    except strict_json.JsonError as err:
        raise WalletError(f"the wallet {path} is not a keystore: {err}") from err


def keystore_address(path: Path) -> str:
    """The wallet's public address, ``0x`` and 40 lower-case hex digits."""
    found = _HEX_ADDRESS.fullmatch(str(read_keystore(path).get("address", "")))
    if found is None:
        raise WalletError(f"the wallet {path} has no address field")
    return "0x" + found[1].lower()
