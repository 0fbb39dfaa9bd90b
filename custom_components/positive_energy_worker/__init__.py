"""Positive Energy Worker: run iExec compute on a solar Raspberry Pi when the energy is there.

Home Assistant talks to the Pi's hardware bridge over its authenticated API: readings and worker
state arrive by WebSocket push, commands go back over REST. The compute window (the policy fed by
the home's entities and the bridge) runs here; in auto mode it drives the worker.
"""

from __future__ import annotations

from homeassistant.const import CONF_HOST, CONF_PORT, CONF_TOKEN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType

from .chain_coordinator import ChainCoordinator, chain_store
from .chain_settings import ChainSettings
from .client import BridgeClient
from .compute_window import ComputeWindow, policy_store
from .const import DOMAIN, MIN_BRIDGE_VERSION
from .coordinator import PEWCoordinator
from .entity import PI, default_low_voltage_cut, device_info
from .errors import BridgeClientError
from .helpers import translated
from .models import Deadbands
from .runtime_data import PEWConfigEntry, PEWData
from .services import async_register_services
from .settings import AutoSettings
from .worker_chain import ISSUES, WorkerChainCheck, issue_id

PLATFORMS = [Platform.BINARY_SENSOR, Platform.NUMBER, Platform.SENSOR, Platform.SWITCH]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)
# Entries of 1.1 named the deadbands in their options apart from the bridge.
RENAMED_OPTIONS = {"deadband_power": "power", "deadband_voltage": "voltage", "deadband_soc": "soc"}


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:3] if part.isdigit())


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions once, whatever the number of bridges."""
    async_register_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: PEWConfigEntry) -> bool:
    """Connect to one bridge: its device info, its state, then the push."""
    client = BridgeClient(
        async_get_clientsession(hass),
        entry.data[CONF_HOST],
        entry.data[CONF_PORT],
        entry.data[CONF_TOKEN],
    )
    try:
        device = await client.device()
    except BridgeClientError as err:
        raise translated(err, ConfigEntryNotReady) from err
    _check_version(hass, entry, device.bridge_version)
    # The Pi first: its parts point at it (their via device) and must find it registered.
    pi = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, **device_info(device, PI, None)
    )
    coordinator = PEWCoordinator(
        hass,
        entry,
        client,
        Deadbands.from_options(entry.options),
        default_low_voltage_cut(device.battery),
    )
    settings = AutoSettings.from_options(entry.options)
    window = ComputeWindow(hass, entry, coordinator, device, settings)
    entry.runtime_data = PEWData(client, coordinator, device, window, pi.id)
    await coordinator.async_config_entry_first_refresh()
    coordinator.start_push()
    chain_settings = ChainSettings.from_options(entry.options)
    _watch_worker_chain(entry, WorkerChainCheck(hass, entry, chain_settings))
    if chain_settings is not None:
        entry.runtime_data.chain = await _start_chain(hass, entry, chain_settings)
    await window.async_start()
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def _start_chain(
    hass: HomeAssistant, entry: PEWConfigEntry, settings: ChainSettings
) -> ChainCoordinator:
    """The chain's coordinator, first read done. A node that is away does not hold up the
    bridge: its entities show unavailable until it answers."""
    bridge = entry.runtime_data.coordinator
    chain = ChainCoordinator(
        hass,
        entry,
        settings,
        lambda: bridge.data.energy.consumed if bridge.data is not None else None,
    )
    await chain.async_load()
    await chain.async_refresh()
    entry.async_on_unload(chain.async_shutdown)
    return chain


def _watch_worker_chain(entry: PEWConfigEntry, check: WorkerChainCheck) -> None:
    """The worker's chain, wallet and platform against the chain step's, now and on each state."""
    coordinator = entry.runtime_data.coordinator

    def update() -> None:
        if coordinator.data is not None:
            check.update(coordinator.data.worker)

    update()
    entry.async_on_unload(coordinator.async_add_listener(update))


def _check_version(hass: HomeAssistant, entry: PEWConfigEntry, version: str) -> None:
    """A bridge older than this integration speaks gets a repair issue, not a cryptic failure."""
    issue_id = f"bridge_too_old_{entry.entry_id}"
    if _version(version) < _version(MIN_BRIDGE_VERSION):
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="bridge_too_old",
            translation_placeholders={"version": version, "minimum": MIN_BRIDGE_VERSION},
        )
    else:
        ir.async_delete_issue(hass, DOMAIN, issue_id)


async def async_migrate_entry(hass: HomeAssistant, entry: PEWConfigEntry) -> bool:
    """1.1 to 1.2: the deadband options take the names the bridge gives them."""
    if entry.version > 1:
        return False  # written by a newer integration: nothing here reads it
    if entry.minor_version < 2:
        options = {RENAMED_OPTIONS.get(key, key): value for key, value in entry.options.items()}
        hass.config_entries.async_update_entry(entry, options=options, minor_version=2)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: PEWConfigEntry) -> bool:
    """Platforms out, the window's timers written; the push task ends with the entry (it was
    created on it)."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        await entry.runtime_data.window.async_stop()
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: PEWConfigEntry) -> None:
    """A removed bridge leaves no policy timers and no chain ledger behind."""
    await policy_store(hass, entry.entry_id).async_remove()
    await chain_store(hass, entry.entry_id).async_remove()
    for kind in ISSUES:
        ir.async_delete_issue(hass, DOMAIN, issue_id(kind, entry.entry_id))
