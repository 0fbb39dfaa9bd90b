"""Device conditions: the compute window's binary sensors are on ("the compute window is open",
"there is a solar surplus", "home devices are idle")."""

from __future__ import annotations

import voluptuous as vol
from homeassistant.const import CONF_CONDITION, CONF_ENTITY_ID, CONF_TYPE, STATE_ON
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import condition
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.typing import ConfigType, TemplateVarsType

from .binary_sensor import WINDOW_BINARY_SENSORS, device_automations

CONDITION_TYPES = {d.is_on for d in WINDOW_BINARY_SENSORS}
CONDITION_SCHEMA = cv.DEVICE_CONDITION_BASE_SCHEMA.extend(
    {
        vol.Required(CONF_ENTITY_ID): cv.entity_id_or_uuid,
        vol.Required(CONF_TYPE): vol.In(CONDITION_TYPES),
    }
)


async def async_get_conditions(hass: HomeAssistant, device_id: str) -> list[dict[str, str]]:
    """The conditions of the window's binary sensors on this device."""
    return device_automations(hass, device_id, {CONF_CONDITION: "device"}, lambda d: (d.is_on,))


@callback
def async_condition_from_config(
    hass: HomeAssistant, config: ConfigType
) -> condition.ConditionCheckerType:
    """True while the binary sensor is on."""
    entity_id = er.async_resolve_entity_id(er.async_get(hass), config[CONF_ENTITY_ID])

    def is_on(hass: HomeAssistant, variables: TemplateVarsType = None) -> bool:
        return entity_id is not None and hass.states.is_state(entity_id, STATE_ON)

    return is_on
