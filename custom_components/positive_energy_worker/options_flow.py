"""The options: how finely the bridge pushes, and the auto mode's surplus, devices and policy.

Each page's fields come from the tables of ``settings.py`` (one name, default and range per knob).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Final

import voluptuous as vol
from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.helpers.selector import (
    DeviceSelector,
    DeviceSelectorConfig,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
)

from .chain_flow import chain_answer, chain_form, without_chain
from .const import CONF_OPTIONAL_ENTITIES
from .entity import async_apply_options
from .forms import BoundedNumber, bounded, entity_selector, numbers, range_errors
from .models import Deadbands
from .settings import (
    CONSUMPTION_POWER,
    DEVICE_KNOBS,
    EXPORT_POSITIVE,
    FORECAST,
    FORECAST_DAYS,
    GRID_POWER,
    HOME_BATTERY_KNOBS,
    HOME_BATTERY_POWER,
    HOME_BATTERY_SOC,
    IDLE_DEVICES,
    IDLE_ENTITIES,
    POLICY_KNOBS,
    PRIORITY_CONSUMERS,
    PRODUCTION_POWER,
    SURPLUS_KNOBS,
    SURPLUS_SOURCE,
    AutoSettings,
    Source,
)

DEADBAND_SELECTORS = {
    name: BoundedNumber(
        NumberSelectorConfig(
            min=0, max=high, step="any", unit_of_measurement=unit, mode=NumberSelectorMode.BOX
        )
    )
    for name, unit, high in (("power", "W", 1000), ("voltage", "V", 100), ("soc", "%", 100))
}


class PEWOptionsFlow(OptionsFlow):
    """How finely the bridge pushes changes, and the auto mode's surplus, devices and policy.

    Each step saves its own options and keeps the others, and applies them through one reload.
    """

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        return self.async_show_menu(step_id="init", menu_options=[*STEPS, "chain"])

    async def async_step_push(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        return self._step("push", user_input)

    async def async_step_surplus(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        errors = {}
        if user_input is not None and (
            missing := AutoSettings.from_options(user_input).missing_meters()
        ):
            errors["base"] = missing
        return self._step("surplus", user_input, errors)

    async def async_step_home_battery(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        return self._step("home_battery", user_input)

    async def async_step_devices(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        return self._step("devices", user_input)

    async def async_step_policy(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        errors = {}
        days = (user_input or {}).get(FORECAST_DAYS, [])
        if len(set(days)) < len(days):
            # One entity a day, in order: a repeat would read one day's forecast for another's.
            errors[FORECAST_DAYS] = "repeated_day"
        return self._step("policy", user_input, errors)

    async def async_step_chain(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The chain and wallet; the other options are kept."""
        options, errors = await chain_answer(self, user_input)
        if options is not None:
            return self._save({**without_chain(self.config_entry.options), **options})
        return chain_form(self, "chain", user_input or self.config_entry.options, errors)

    def _step(
        self, step_id: str, user_input: dict[str, Any] | None, errors: dict[str, str] | None = None
    ) -> ConfigFlowResult:
        """Save the step's options (an emptied field is dropped), or show its form with an
        error beside each number out of its bounds."""
        schema = STEPS[step_id]
        options = self.config_entry.options
        if user_input is not None:
            errors = {**range_errors(user_input, bounded(schema)), **(errors or {})}
        if user_input is not None and not errors:
            mine = {str(marker) for marker in schema.schema}
            kept = {key: value for key, value in options.items() if key not in mine}
            return self._save({**kept, **user_input})
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(schema, user_input or options),
            errors=errors,
        )

    def _save(self, options: dict[str, Any]) -> ConfigFlowResult:
        """Store the options and apply them now, if they changed. The entry's own options flow
        does both, rather than an update listener: Home Assistant already reloads an entry after
        a reconfigure or a reauth, and refuses (from 2026.12) an entry that has both."""
        entry = self.config_entry
        if self.hass.config_entries.async_update_entry(entry, options=options):
            async_apply_options(self.hass, entry)
        return self.async_create_entry(data=options)


POWER = entity_selector("power")
STEPS: Final[dict[str, vol.Schema]] = {
    "push": vol.Schema(
        {
            **{
                vol.Required(key, default=default): DEADBAND_SELECTORS[key]
                for key, default in asdict(Deadbands()).items()
            },
            vol.Required(CONF_OPTIONAL_ENTITIES, default=False): bool,
        }
    ),
    "surplus": vol.Schema(
        {
            vol.Required(SURPLUS_SOURCE, default=Source.OFF_GRID): SelectSelector(
                SelectSelectorConfig(options=list(Source), translation_key=SURPLUS_SOURCE)
            ),
            vol.Optional(GRID_POWER): POWER,
            vol.Required(EXPORT_POSITIVE, default=False): bool,
            vol.Optional(PRODUCTION_POWER): POWER,
            vol.Optional(CONSUMPTION_POWER): POWER,
            **numbers(SURPLUS_KNOBS),
        }
    ),
    "home_battery": vol.Schema(
        {
            vol.Optional(HOME_BATTERY_SOC): entity_selector("battery"),
            vol.Optional(HOME_BATTERY_POWER): POWER,
            **numbers(HOME_BATTERY_KNOBS),
        }
    ),
    "devices": vol.Schema(
        {
            vol.Optional(IDLE_ENTITIES): entity_selector(multiple=True),
            vol.Optional(IDLE_DEVICES): DeviceSelector(DeviceSelectorConfig(multiple=True)),
            vol.Optional(PRIORITY_CONSUMERS): entity_selector(multiple=True),
            **numbers(DEVICE_KNOBS),
        }
    ),
    "policy": vol.Schema(
        {
            **numbers(POLICY_KNOBS),
            vol.Optional(FORECAST): entity_selector("energy"),
            vol.Optional(FORECAST_DAYS): entity_selector("energy", multiple=True),
        }
    ),
}
