"""The chain's options: which chain, where to read it, whose wallet. No Home Assistant.

The options flow's chain step writes these keys; ``ChainSettings.from_options`` is the one reader.
Only public things are kept: an RPC URL, contract addresses and the worker's public address.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from eth_utils.address import is_address, is_checksum_address, to_checksum_address

from .chain_data import CONFIRMATIONS, PRESETS, Network

# A checksum is a keccak hash, whose backend eth_hash imports on its first use: do that use here,
# when Home Assistant imports the integration in its executor, not in a flow's step on the event
# loop (where Home Assistant reports it as a blocking call).
to_checksum_address("0x" + "00" * 20)

NETWORK: Final = "network"
RPC_URL: Final = "rpc_url"
CHAIN_ID: Final = "chain_id"
HUB: Final = "hub"
RLC_ADDRESS: Final = "rlc"
WALLET: Final = "wallet"
GAS_LOW: Final = "gas_low"
TARIFF: Final = "tariff"
CHAIN_KEYS: Final = (NETWORK, RPC_URL, CHAIN_ID, HUB, RLC_ADDRESS, WALLET, GAS_LOW, TARIFF)
# A worker pays gas for each contribution; on Arbitrum 0.001 ETH is many of them.
DEFAULT_GAS_LOW: Final = 0.001


def checksummed(text: str) -> str | None:
    """The address in its checksummed form; None if it is none, or if its mixed case is a wrong
    checksum (a typo that case alone would hide)."""
    text = text.strip()
    if not is_address(text):
        return None
    if text[2:] not in (text[2:].lower(), text[2:].upper()) and not is_checksum_address(text):
        return None
    return to_checksum_address(text)


@dataclass(frozen=True)
class ChainSettings:
    """Where the worker's economics are read."""

    network: Network
    rpc_url: str
    chain_id: int
    hub: str
    rlc: str
    wallet: str
    gas_low: float = DEFAULT_GAS_LOW
    tariff: str | None = None

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> ChainSettings | None:
        """The chain the options name; None when they name none."""
        network = Network(options.get(NETWORK, Network.NONE))
        if network is Network.NONE or not options.get(WALLET):
            return None
        gas_low = float(options.get(GAS_LOW, DEFAULT_GAS_LOW))
        tariff = options.get(TARIFF) or None
        if network is Network.CUSTOM:
            return cls(
                network,
                options[RPC_URL],
                int(options[CHAIN_ID]),
                options[HUB],
                options[RLC_ADDRESS],
                options[WALLET],
                gas_low,
                tariff,
            )
        preset = PRESETS[network]
        return cls(
            network,
            options.get(RPC_URL) or preset.rpc_url,
            preset.chain_id,
            preset.hub,
            preset.rlc,
            options[WALLET],
            gas_low,
            tariff,
        )

    @property
    def confirmations(self) -> int:
        """How deep a block must be before its events are stored (``chain_scan``)."""
        return CONFIRMATIONS[self.network]

    def problems(self) -> dict[str, str]:
        """An error key beside each field that cannot be right, before anything is asked."""
        errors = {}
        for key, address in ((WALLET, self.wallet), (HUB, self.hub), (RLC_ADDRESS, self.rlc)):
            if checksummed(address) is None:
                errors[key] = "invalid_address"
        if not self.rpc_url.startswith(("http://", "https://")):
            errors[RPC_URL] = "invalid_rpc_url"
        return errors
