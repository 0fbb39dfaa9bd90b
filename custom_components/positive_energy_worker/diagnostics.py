"""Diagnostics: the entry, the bridge's device info and state, the compute window's settings,
decision and timers; secrets redacted."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_TOKEN
from homeassistant.core import HomeAssistant

from .runtime_data import PEWConfigEntry

# The token opens the bridge; the image's wallet and the worker's last error may name paths; the
# chain's wallet ties the home to an address, and an RPC URL often carries a provider's API key.
TO_REDACT = {CONF_TOKEN, "token", "password", "wallet", "rpc_url"}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: PEWConfigEntry
) -> dict[str, Any]:
    data = entry.runtime_data
    window = data.window
    return {
        "entry": async_redact_data(entry.as_dict(), TO_REDACT),
        "device": asdict(data.device),
        "pushing": data.coordinator.pushing,
        "last_update_success": data.coordinator.last_update_success,
        "state": async_redact_data(asdict(data.coordinator.data), TO_REDACT),
        "window": {
            "auto": window.auto,
            "settings": asdict(window.settings),
            "state": asdict(window.state),
            "policy": window.policy.to_dict(),
        },
        "chain": None
        if (chain := data.chain) is None
        else {
            "network": chain.settings.network.value,
            "chain_id": chain.settings.chain_id,
            "last_update_success": chain.last_update_success,
            "failing_since": chain.failing_since.isoformat() if chain.failing_since else None,
            "update_interval_s": chain.update_interval.total_seconds()
            if chain.update_interval
            else None,
            "cursor": chain.ledger.cursor if chain.ledger else None,
            "confirmations": chain.scanner.depth,
            "span": chain.scanner.span.size,
            "range_refusals": chain.scanner.span.refusals,
            "calls": dict(chain.reader.calls),
            "requests": chain.reader.requests,
        },
    }
