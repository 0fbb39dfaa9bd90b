"""Set up a bridge: by hand, by zeroconf discovery, reauthentication and reconfiguration."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any, Final

import voluptuous as vol
from homeassistant.config_entries import ConfigFlow, ConfigFlowResult, OptionsFlow
from homeassistant.const import CONF_HOST, CONF_PORT, CONF_TOKEN
from homeassistant.core import callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    DeviceSelector,
    DeviceSelectorConfig,
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo

from .chain_flow import CHAIN_SCHEMA, chain_options, check_node, without_chain
from .chain_settings import CHAIN_KEYS
from .client import (
    BridgeAuthError,
    BridgeClient,
    BridgeClientError,
    BridgeConnectionError,
    BridgeDevice,
    Deadbands,
)
from .const import CONF_OPTIONAL_ENTITIES, DEFAULT_PORT, DOMAIN
from .coordinator import PEWConfigEntry
from .entity import async_apply_options
from .settings import (
    CONSUMPTION_POWER,
    DEVICE_KNOBS,
    EXPORT_POSITIVE,
    FORECAST,
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
    Knob,
    Source,
)

TOKEN_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))


class BoundedNumber(NumberSelector):
    """A number field whose bounds the form shows and the step checks.

    Home Assistant's own selector refuses an out-of-range value before the step runs, with an
    untranslated message and the form's input lost; here the step finds it (``out_of_range``)
    and answers with the form as typed and a translated error beside the field.
    """

    def __call__(self, data: Any) -> float:
        value: float = vol.Coerce(float)(data)
        return value

    def out_of_range(self, value: float) -> bool:
        low, high = self.config.get("min", float("-inf")), self.config.get("max", float("inf"))
        step = self.config.get("step")
        return not low <= value <= high or (step == 1 and value != int(value))


PORT_SELECTOR = BoundedNumber(
    NumberSelectorConfig(min=1, max=65535, step=1, mode=NumberSelectorMode.BOX)
)
# Each deadband's field, with its unit (the options' keys are the client's Deadbands fields).
DEADBAND_SELECTORS = {
    name: BoundedNumber(
        NumberSelectorConfig(
            min=0, max=high, step="any", unit_of_measurement=unit, mode=NumberSelectorMode.BOX
        )
    )
    for name, unit, high in (("power", "W", 1000), ("voltage", "V", 100), ("soc", "%", 100))
}


def _range_errors(
    user_input: Mapping[str, Any], selectors: Mapping[str, BoundedNumber]
) -> dict[str, str]:
    """An error beside each number field whose value lies outside its bounds."""
    return {
        key: "out_of_range"
        for key, selector in selectors.items()
        if key in user_input and selector.out_of_range(user_input[key])
    }


def _connection_schema(*, token_required: bool = True) -> vol.Schema:
    """Host, port and token; the values shown come from ``add_suggested_values_to_schema``."""
    token = vol.Required(CONF_TOKEN) if token_required else vol.Optional(CONF_TOKEN)
    return vol.Schema(
        {
            vol.Required(CONF_HOST): str,
            vol.Required(CONF_PORT): PORT_SELECTOR,
            token: TOKEN_SELECTOR,
        }
    )


class PEWConfigFlow(ConfigFlow, domain=DOMAIN):
    """One config entry per bridge; its device id is the unique id."""

    VERSION = 1
    MINOR_VERSION = 2  # 1.2: the deadband options are named as the bridge names them

    def __init__(self) -> None:
        self._host = ""
        self._port = DEFAULT_PORT
        # The bridge found by the first step, kept for the chain step that ends the flow.
        self._data: dict[str, Any] = {}
        self._title = ""

    async def _validate(
        self, host: str, port: int, token: str
    ) -> tuple[BridgeDevice | None, dict[str, str]]:
        """Connect: the device info, or the one error key that says what is wrong."""
        client = BridgeClient(async_get_clientsession(self.hass), host, port, token)
        try:
            await client.health()
            return await client.device(), {}
        except BridgeConnectionError:
            return None, {"base": "cannot_connect"}
        except BridgeAuthError:
            return None, {CONF_TOKEN: "invalid_auth"}
        except BridgeClientError:
            return None, {"base": "not_a_bridge"}

    async def _identify(
        self, user_input: dict[str, Any]
    ) -> tuple[BridgeDevice | None, dict[str, str]]:
        """``_validate`` what the form holds; a bridge that answers becomes the flow's id."""
        if errors := _range_errors(user_input, {CONF_PORT: PORT_SELECTOR}):
            return None, errors
        connection = _connection(user_input)
        device, errors = await self._validate(
            connection[CONF_HOST], connection[CONF_PORT], connection[CONF_TOKEN]
        )
        if device is not None:
            await self.async_set_unique_id(device.device_id)
        return device, errors

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Host, port and token, typed in."""
        errors: dict[str, str] = {}
        if user_input is not None:
            device, errors = await self._identify(user_input)
            if device is not None:
                data = _connection(user_input)
                self._abort_if_unique_id_configured(updates=data)
                self._data, self._title = data, _title(device)
                return await self.async_step_chain()
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                _connection_schema(), user_input or {CONF_PORT: DEFAULT_PORT}
            ),
            errors=errors,
        )

    async def async_step_zeroconf(self, discovery_info: ZeroconfServiceInfo) -> ConfigFlowResult:
        """A bridge announced itself; its TXT record carries its device id."""
        device_id = discovery_info.properties.get("device_id")
        if not device_id:
            return self.async_abort(reason="not_a_bridge")
        self._host, self._port = discovery_info.host, discovery_info.port or DEFAULT_PORT
        await self.async_set_unique_id(device_id)
        self._abort_if_unique_id_configured(updates={CONF_HOST: self._host, CONF_PORT: self._port})
        self.context["title_placeholders"] = {"device_id": device_id}
        return await self.async_step_zeroconf_confirm()

    async def async_step_zeroconf_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Confirm the discovered bridge; its token is the one secret to type."""
        errors: dict[str, str] = {}
        if user_input is not None:
            token = user_input[CONF_TOKEN]
            device, errors = await self._validate(self._host, self._port, token)
            if device is not None:
                if device.device_id != self.unique_id:
                    return self.async_abort(reason="wrong_device")
                self._title = _title(device)
                self._data = _connection(
                    {CONF_HOST: self._host, CONF_PORT: self._port, CONF_TOKEN: token}
                )
                return await self.async_step_chain()
        return self.async_show_form(
            step_id="zeroconf_confirm",
            data_schema=vol.Schema({vol.Required(CONF_TOKEN): TOKEN_SELECTOR}),
            description_placeholders={"host": self._host, "port": str(self._port)},
            errors=errors,
        )

    async def async_step_chain(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The chain the worker is paid on, and its wallet (or none): the entry's options."""
        options, errors = await _chain_answer(self, user_input)
        if options is not None:
            return self.async_create_entry(title=self._title, data=self._data, options=options)
        return _chain_form(self, "chain", user_input or {}, errors)

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The bridge refused the token (a new data dir, a rotated token)."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            host, port = entry.data[CONF_HOST], entry.data[CONF_PORT]
            device, errors = await self._validate(host, port, user_input[CONF_TOKEN])
            if device is not None:
                await self.async_set_unique_id(device.device_id)
                self._abort_if_unique_id_mismatch(reason="wrong_device")
                return self.async_update_reload_and_abort(
                    entry, data_updates={CONF_TOKEN: user_input[CONF_TOKEN]}
                )
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema({vol.Required(CONF_TOKEN): TOKEN_SELECTOR}),
            description_placeholders={"host": entry.data[CONF_HOST]},
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """A new address (or token) for the same bridge; an empty token keeps the stored one."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            wanted = {CONF_TOKEN: entry.data[CONF_TOKEN], **_typed(user_input)}
            device, errors = await self._identify(wanted)
            if device is not None:
                self._abort_if_unique_id_mismatch(reason="wrong_device")
                self._data = _connection(wanted)
                return await self.async_step_reconfigure_chain()
        # What was typed stays after an error; the stored token is never shown back.
        shown = user_input or {key: entry.data[key] for key in (CONF_HOST, CONF_PORT)}
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                _connection_schema(token_required=False), shown
            ),
            errors=errors,
        )

    async def async_step_reconfigure_chain(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The chain and wallet, as they are until changed."""
        entry = self._get_reconfigure_entry()
        options, errors = await _chain_answer(self, user_input)
        if options is not None:
            return self.async_update_reload_and_abort(
                entry,
                data_updates=self._data,
                options={**without_chain(entry.options), **options},
            )
        return _chain_form(self, "reconfigure_chain", user_input or entry.options, errors)

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: PEWConfigEntry) -> PEWOptionsFlow:
        return PEWOptionsFlow()


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
        return self._step("policy", user_input)

    async def async_step_chain(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The chain and wallet; the other options are kept."""
        options, errors = await _chain_answer(self, user_input)
        if options is not None:
            return self._save({**without_chain(self.config_entry.options), **options})
        return _chain_form(self, "chain", user_input or self.config_entry.options, errors)

    def _step(
        self, step_id: str, user_input: dict[str, Any] | None, errors: dict[str, str] | None = None
    ) -> ConfigFlowResult:
        """Save the step's options (an emptied field is dropped), or show its form with an
        error beside each number out of its bounds."""
        schema = STEPS[step_id]
        options = self.config_entry.options
        if user_input is not None:
            errors = {**_range_errors(user_input, _bounded(schema)), **(errors or {})}
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


def _bounded(schema: vol.Schema) -> dict[str, BoundedNumber]:
    """A form's number fields by key."""
    return {
        str(marker): selector
        for marker, selector in schema.schema.items()
        if isinstance(selector, BoundedNumber)
    }


def _numbers(knobs: Mapping[str, Knob]) -> dict[vol.Marker, Any]:
    return {
        vol.Required(key, default=knob.default): BoundedNumber(
            NumberSelectorConfig(
                min=knob.minimum,
                max=knob.maximum,
                step=knob.step,
                unit_of_measurement=knob.unit,
                mode=NumberSelectorMode.BOX,
            )
        )
        for key, knob in knobs.items()
    }


def _entity(device_class: str | None = None, *, multiple: bool = False) -> EntitySelector:
    """Any entity, or a sensor of ``device_class``."""
    if device_class is None:
        return EntitySelector(EntitySelectorConfig(multiple=multiple))
    return EntitySelector(
        EntitySelectorConfig(domain="sensor", device_class=device_class, multiple=multiple)
    )


POWER = _entity("power")
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
            **_numbers(SURPLUS_KNOBS),
        }
    ),
    "home_battery": vol.Schema(
        {
            vol.Optional(HOME_BATTERY_SOC): _entity("battery"),
            vol.Optional(HOME_BATTERY_POWER): POWER,
            **_numbers(HOME_BATTERY_KNOBS),
        }
    ),
    "devices": vol.Schema(
        {
            vol.Optional(IDLE_ENTITIES): _entity(multiple=True),
            vol.Optional(IDLE_DEVICES): DeviceSelector(DeviceSelectorConfig(multiple=True)),
            vol.Optional(PRIORITY_CONSUMERS): _entity(multiple=True),
            **_numbers(DEVICE_KNOBS),
        }
    ),
    "policy": vol.Schema({**_numbers(POLICY_KNOBS), vol.Optional(FORECAST): _entity("energy")}),
}


async def _chain_answer(
    flow: ConfigFlow | OptionsFlow, user_input: dict[str, Any] | None
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The chain options the form's answer stores, once the node confirms its chain; None and
    the errors while there is none or it is wrong."""
    if user_input is None:
        return None, {}
    options, errors = chain_options(user_input)
    if not errors:
        errors = await check_node(flow.hass, options)
    return (None, errors) if errors else (options, {})


def _chain_form(
    flow: ConfigFlow | OptionsFlow, step_id: str, shown: Mapping[str, Any], errors: dict[str, str]
) -> ConfigFlowResult:
    """The chain step's form, showing what was typed or stored."""
    values = {key: value for key, value in shown.items() if key in CHAIN_KEYS}
    return flow.async_show_form(
        step_id=step_id,
        data_schema=flow.add_suggested_values_to_schema(CHAIN_SCHEMA, values),
        errors=errors,
    )


def _title(device: BridgeDevice) -> str:
    return f"Solar Pi {device.device_id[:6]}"


def _connection(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """What an entry stores to reach its bridge (the form's number field gives a float)."""
    return {
        CONF_HOST: user_input[CONF_HOST].strip(),
        CONF_PORT: int(user_input[CONF_PORT]),
        CONF_TOKEN: user_input[CONF_TOKEN].strip(),
    }


def _typed(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """The fields the user filled in: an empty one is not an answer."""
    return {key: value for key, value in user_input.items() if value not in ("", None)}
