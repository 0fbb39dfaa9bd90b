"""Diagnostics: the entry, the bridge's device info and state, the compute window's settings,
decision and timers; secrets redacted."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_TOKEN
from homeassistant.core import HomeAssistant

from .coordinator import PEWConfigEntry

# The token opens the bridge; the image's wallet and the worker's last error may name paths.
TO_REDACT = {CONF_TOKEN, "token", "password", "wallet"}


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
    }
