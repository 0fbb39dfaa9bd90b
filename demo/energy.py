"""The Energy dashboard with the Pi's sensors chosen in it, as its owner would pick them under
Settings → Dashboards → Energy: the panel as solar production, the battery's charged and
discharged energy, and the Pi's own use as an individual device.

Set through the WebSocket API the Energy settings page uses (``energy/save_prefs``), after the
integration's entities exist: Home Assistant validates and stores them itself.
"""

from __future__ import annotations

from typing import Any, Final

from .home_assistant_process import HomeAssistantProcess

DOMAIN: Final = "positive_energy_worker"
# The integration's energy sensors, by translation key (their entity ids follow the device's name,
# which the owner may change; the keys do not).
SOLAR: Final = "energy_solar_harvested"
CHARGED: Final = "energy_battery_charged"
DISCHARGED: Final = "energy_battery_discharged"
CONSUMED: Final = "energy_consumed"


class EnergySetupError(RuntimeError):
    """An energy sensor the dashboard needs is not in the entity registry."""


def energy_entities(hass: HomeAssistantProcess) -> dict[str, str]:
    """The integration's entity ids by translation key, from the entity registry."""
    entries: list[dict[str, Any]] = hass.websocket({"type": "config/entity_registry/list"})
    return {
        entry["translation_key"]: entry["entity_id"]
        for entry in entries
        if entry["platform"] == DOMAIN and entry.get("translation_key")
    }


def energy_preferences(entities: dict[str, str]) -> dict[str, Any]:
    """What ``energy/save_prefs`` takes: the fields every supported release accepts."""
    missing = [key for key in (SOLAR, CHARGED, DISCHARGED, CONSUMED) if key not in entities]
    if missing:
        raise EnergySetupError(f"the integration has no energy sensor {', '.join(missing)}")
    return {
        "energy_sources": [
            {"type": "solar", "stat_energy_from": entities[SOLAR]},
            {
                "type": "battery",
                "stat_energy_from": entities[DISCHARGED],  # out of the battery, into the home
                "stat_energy_to": entities[CHARGED],
            },
        ],
        "device_consumption": [{"stat_consumption": entities[CONSUMED]}],
    }


def set_up_energy_dashboard(hass: HomeAssistantProcess) -> dict[str, Any]:
    """Choose the Pi's sensors in the Energy dashboard; the preferences Home Assistant stored."""
    hass.websocket({"type": "energy/save_prefs", **energy_preferences(energy_entities(hass))})
    stored: dict[str, Any] = hass.websocket({"type": "energy/get_prefs"})
    return stored
