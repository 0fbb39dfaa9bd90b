"""Device actions on the iExec worker: start it, or drain it (the running task finishes), through
the integration's own actions."""

from __future__ import annotations

from typing import Any, Final

import voluptuous as vol
from homeassistant.const import CONF_DEVICE_ID, CONF_DOMAIN, CONF_TYPE, Platform
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.typing import ConfigType, TemplateVarsType

from .const import ATTR_DRAIN, DOMAIN, SERVICE_START_WORKER, SERVICE_STOP_WORKER
from .services import ATTR_DEVICE_ID
from .switch import SWITCHES

# Each action type: the integration's action it calls, with its data.
ACTIONS: Final[dict[str, tuple[str, dict[str, Any]]]] = {
    "start_worker": (SERVICE_START_WORKER, {}),
    "drain_worker": (SERVICE_STOP_WORKER, {ATTR_DRAIN: True}),
}
ACTION_SCHEMA = cv.DEVICE_ACTION_BASE_SCHEMA.extend({vol.Required(CONF_TYPE): vol.In(ACTIONS)})
WORKER_SWITCHES: Final = {d.translation_key for d in SWITCHES}


async def async_get_actions(hass: HomeAssistant, device_id: str) -> list[dict[str, Any]]:
    """Start and drain, on the device that carries the worker's switch."""
    entries = er.async_entries_for_device(er.async_get(hass), device_id)
    if not any(
        entry.platform == DOMAIN
        and entry.domain == Platform.SWITCH
        and entry.translation_key in WORKER_SWITCHES
        for entry in entries
    ):
        return []
    return [
        {CONF_DEVICE_ID: device_id, CONF_DOMAIN: DOMAIN, CONF_TYPE: action} for action in ACTIONS
    ]


async def async_call_action_from_config(
    hass: HomeAssistant,
    config: ConfigType,
    variables: TemplateVarsType,
    context: Context | None,
) -> None:
    """Call the integration's action on the device's bridge (its errors are translated)."""
    service, data = ACTIONS[config[CONF_TYPE]]
    await hass.services.async_call(
        DOMAIN,
        service,
        {ATTR_DEVICE_ID: config[CONF_DEVICE_ID], **data},
        blocking=True,
        context=context,
    )
