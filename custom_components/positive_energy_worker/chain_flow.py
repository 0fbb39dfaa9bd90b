"""The chain step of the config, reconfigure and options flows: its form and its checks.

A preset needs only the worker's address (its contracts come from iExec's deployment records,
its RPC URL may be overridden); a custom chain needs all of RPC URL, chain id and contracts.
Before anything is saved the node is asked which chain it serves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import voluptuous as vol
from homeassistant.config_entries import ConfigFlow, ConfigFlowResult, OptionsFlow
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
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
from web3 import AsyncWeb3

from .chain_data import Network
from .chain_provider import SessionHTTPProvider
from .chain_reader import ChainAnswerError, ChainError, ChainReader
from .chain_settings import (
    CHAIN_ID,
    CHAIN_KEYS,
    DEFAULT_GAS_LOW,
    GAS_LOW,
    HUB,
    NETWORK,
    RLC_ADDRESS,
    RPC_URL,
    TARIFF,
    WALLET,
    ChainSettings,
    checksummed,
)

CHECK_TIMEOUT = 15
ADDRESS = TextSelector()
CHAIN_SCHEMA = vol.Schema(
    {
        vol.Required(NETWORK, default=Network.NONE): SelectSelector(
            SelectSelectorConfig(options=list(Network), translation_key=NETWORK)
        ),
        vol.Optional(WALLET): ADDRESS,
        vol.Optional(RPC_URL): TextSelector(TextSelectorConfig(type=TextSelectorType.URL)),
        vol.Optional(CHAIN_ID): NumberSelector(
            NumberSelectorConfig(min=1, step=1, mode=NumberSelectorMode.BOX)
        ),
        vol.Optional(HUB): ADDRESS,
        vol.Optional(RLC_ADDRESS): ADDRESS,
        vol.Required(GAS_LOW, default=DEFAULT_GAS_LOW): NumberSelector(
            NumberSelectorConfig(
                min=0, max=10, step="any", unit_of_measurement="ETH", mode=NumberSelectorMode.BOX
            )
        ),
        vol.Optional(TARIFF): EntitySelector(
            EntitySelectorConfig(domain=["sensor", "input_number"])
        ),
    }
)


def chain_options(user_input: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """What the form's answer stores (addresses checksummed, a preset's contracts left to its
    records), or an error key beside each field that cannot be right."""
    network = Network(user_input.get(NETWORK, Network.NONE))
    if network is Network.NONE:
        return {NETWORK: Network.NONE.value}, {}
    typed = {key: value for key, value in user_input.items() if value not in ("", None)}
    needed = (
        (WALLET, RPC_URL, CHAIN_ID, HUB, RLC_ADDRESS) if network is Network.CUSTOM else (WALLET,)
    )
    if missing := {key: "required" for key in needed if key not in typed}:
        return {}, missing
    options: dict[str, Any] = {
        NETWORK: network.value,
        WALLET: checksummed(typed[WALLET]) or typed[WALLET],
        GAS_LOW: float(typed.get(GAS_LOW, DEFAULT_GAS_LOW)),
    }
    if RPC_URL in typed:
        options[RPC_URL] = typed[RPC_URL].strip()
    if TARIFF in typed:
        options[TARIFF] = typed[TARIFF]
    if network is Network.CUSTOM:
        options[CHAIN_ID] = int(typed[CHAIN_ID])
        for key in (HUB, RLC_ADDRESS):
            options[key] = checksummed(typed[key]) or typed[key]
    settings = ChainSettings.from_options(options)
    assert settings is not None  # a network and a wallet
    return options, settings.problems()


async def check_node(hass: HomeAssistant, options: Mapping[str, Any]) -> dict[str, str]:
    """Ask the node which chain it serves: the one error key if it is away, answers with an
    error (a provider's URL without its key, say) or serves another chain."""
    settings = ChainSettings.from_options(options)
    if settings is None:
        return {}
    provider = SessionHTTPProvider(settings.rpc_url, async_get_clientsession(hass), CHECK_TIMEOUT)
    reader = ChainReader(AsyncWeb3(provider), settings.hub, settings.rlc, settings.wallet)
    try:
        served = await reader.chain_id()
    except ChainAnswerError:
        return {"base": "rpc_error"}
    except ChainError:
        return {"base": "rpc_unreachable"}
    return {} if served == settings.chain_id else {"base": "wrong_chain"}


def without_chain(options: Mapping[str, Any]) -> dict[str, Any]:
    """The options that are not the chain's."""
    return {key: value for key, value in options.items() if key not in CHAIN_KEYS}


async def chain_answer(
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


def chain_form(
    flow: ConfigFlow | OptionsFlow, step_id: str, shown: Mapping[str, Any], errors: dict[str, str]
) -> ConfigFlowResult:
    """The chain step's form, showing what was typed or stored."""
    values = {key: value for key, value in shown.items() if key in CHAIN_KEYS}
    return flow.async_show_form(
        step_id=step_id,
        data_schema=flow.add_suggested_values_to_schema(CHAIN_SCHEMA, values),
        errors=errors,
    )
