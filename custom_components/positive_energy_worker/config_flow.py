"""Set up a bridge: by hand, by zeroconf discovery, reauthentication and reconfiguration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import voluptuous as vol
from homeassistant.config_entries import ConfigFlow, ConfigFlowResult
from homeassistant.const import CONF_HOST, CONF_PORT, CONF_TOKEN
from homeassistant.core import callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo

from .chain_flow import chain_answer, chain_form, without_chain
from .client import BridgeClient
from .const import DEFAULT_PORT, DOMAIN
from .errors import BridgeAuthError, BridgeClientError, BridgeConnectionError
from .forms import BoundedNumber, range_errors
from .models import BridgeDevice
from .options_flow import PEWOptionsFlow
from .runtime_data import PEWConfigEntry

TOKEN_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))


PORT_SELECTOR = BoundedNumber(
    NumberSelectorConfig(min=1, max=65535, step=1, mode=NumberSelectorMode.BOX)
)
# Each deadband's field, with its unit (the options' keys are the client's Deadbands fields).


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
        if errors := range_errors(user_input, {CONF_PORT: PORT_SELECTOR}):
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
        options, errors = await chain_answer(self, user_input)
        if options is not None:
            return self.async_create_entry(title=self._title, data=self._data, options=options)
        return chain_form(self, "chain", user_input or {}, errors)

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
                    entry,
                    data_updates={CONF_TOKEN: user_input[CONF_TOKEN]},
                    # Named, so that our words say it on every release (2026.x would otherwise
                    # show Home Assistant's generic ones).
                    reason="reauth_successful",
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
        options, errors = await chain_answer(self, user_input)
        if options is not None:
            return self.async_update_reload_and_abort(
                entry,
                data_updates=self._data,
                options={**without_chain(entry.options), **options},
                reason="reconfigure_successful",  # our words, as for reauth
            )
        return chain_form(self, "reconfigure_chain", user_input or entry.options, errors)

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: PEWConfigEntry) -> PEWOptionsFlow:
        return PEWOptionsFlow()


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
