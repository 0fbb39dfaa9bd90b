"""Actions: start_worker, stop_worker, schedule_power. Registered once, for every bridge."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import voluptuous as vol
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util

from .const import (
    ATTR_CONFIG_ENTRY_ID,
    ATTR_DRAIN,
    ATTR_NEXT_SHUTDOWN,
    ATTR_NEXT_STARTUP,
    ATTR_TIMEOUT,
    DOMAIN,
    SERVICE_SCHEDULE_POWER,
    SERVICE_START_WORKER,
    SERVICE_STOP_WORKER,
)
from .helpers import bridge_command
from .runtime_data import PEWConfigEntry

ATTR_DEVICE_ID = "device_id"

TARGET: dict[vol.Marker, Any] = {
    vol.Exclusive(ATTR_CONFIG_ENTRY_ID, "target"): cv.string,
    vol.Exclusive(ATTR_DEVICE_ID, "target"): cv.string,
}
START_SCHEMA = vol.Schema(TARGET)
STOP_SCHEMA = vol.Schema(
    {
        **TARGET,
        vol.Optional(ATTR_DRAIN, default=True): cv.boolean,
        vol.Optional(ATTR_TIMEOUT): vol.All(vol.Coerce(float), vol.Range(min=1, max=86400)),
    }
)
# Times are read in the action (``_moment``), so a bad one is refused naming what was given.
SCHEDULE_SCHEMA = vol.Schema(
    {
        **TARGET,
        vol.Optional(ATTR_NEXT_STARTUP): vol.Any(None, datetime, cv.string),
        vol.Optional(ATTR_NEXT_SHUTDOWN): vol.Any(None, datetime, cv.string),
    }
)
# The Witty Pi's alarms keep only the day of the month.
MAX_SCHEDULE_AHEAD = timedelta(days=27)


def _entry(hass: HomeAssistant, call: ServiceCall) -> PEWConfigEntry:
    """The loaded bridge a call targets (the only one when it names none)."""
    entry_id = call.data.get(ATTR_CONFIG_ENTRY_ID)
    if device_id := call.data.get(ATTR_DEVICE_ID):
        # Looked up from our entries' side: a device's own entry attribute differs between the
        # releases we support (config_entries, deprecated since 2026 for config_entry_id).
        registry = dr.async_get(hass)
        ours = [
            entry.entry_id
            for entry in hass.config_entries.async_entries(DOMAIN)
            if any(
                device.id == device_id
                for device in dr.async_entries_for_config_entry(registry, entry.entry_id)
            )
        ]
        if not ours:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="unknown_device"
            )
        entry_id = ours[0]
    loaded = hass.config_entries.async_loaded_entries(DOMAIN)
    if entry_id is None:
        if len(loaded) != 1:
            raise ServiceValidationError(translation_domain=DOMAIN, translation_key="target_needed")
        return loaded[0]
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="unknown_entry")
    if entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="not_loaded")
    return entry


def _aware(hass: HomeAssistant, value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:  # a time typed in the UI is the home's local time
        value = value.replace(tzinfo=dt_util.get_time_zone(hass.config.time_zone))
    return value


def _moment(hass: HomeAssistant, call: ServiceCall, field: str) -> datetime | None:
    """A field's time (the home's local time when it names no zone); empty clears it."""
    value = call.data.get(field)
    if value is None or value == "":
        return None
    moment = value if isinstance(value, datetime) else dt_util.parse_datetime(value.strip())
    if moment is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_time",
            translation_placeholders={"field": field, "value": value},
        )
    return _aware(hass, moment)


def _local(moment: datetime) -> str:
    """A time as the home reads it: its own zone, to the minute."""
    local = dt_util.as_local(moment)
    return f"{local:%a %Y-%m-%d %H:%M} ({local.tzname()})"


def _check_window(entry: PEWConfigEntry, field: str, moment: datetime | None) -> None:
    """The bridge's own rule, said in the home's time: after the Pi's clock, within 27 days."""
    witty = entry.runtime_data.coordinator.data.witty_pi
    if moment is None or witty is None or witty.rtc_time is None:
        return  # the bridge decides
    if not witty.rtc_time < moment <= witty.rtc_time + MAX_SCHEDULE_AHEAD:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="time_out_of_reach",
            translation_placeholders={
                "field": field,
                "value": _local(moment),
                "now": _local(witty.rtc_time),
                "latest": _local(witty.rtc_time + MAX_SCHEDULE_AHEAD),
            },
        )


@callback
def async_register_services(hass: HomeAssistant) -> None:
    """The integration's actions; each targets one bridge."""

    @bridge_command
    async def start_worker(call: ServiceCall) -> None:
        entry = _entry(hass, call)
        await entry.runtime_data.client.start_worker()
        await entry.runtime_data.coordinator.async_request_refresh()

    @bridge_command
    async def stop_worker(call: ServiceCall) -> None:
        entry = _entry(hass, call)
        await entry.runtime_data.client.stop_worker(
            drain=call.data[ATTR_DRAIN], grace=call.data.get(ATTR_TIMEOUT)
        )
        await entry.runtime_data.coordinator.async_request_refresh()

    @bridge_command
    async def schedule_power(call: ServiceCall) -> None:
        entry = _entry(hass, call)
        startup = _moment(hass, call, ATTR_NEXT_STARTUP)
        shutdown = _moment(hass, call, ATTR_NEXT_SHUTDOWN)
        _check_window(entry, ATTR_NEXT_SHUTDOWN, shutdown)
        _check_window(entry, ATTR_NEXT_STARTUP, startup)
        if startup and shutdown and startup <= shutdown:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="startup_before_shutdown"
            )
        await entry.runtime_data.client.set_schedule(startup, shutdown)
        await entry.runtime_data.coordinator.async_request_refresh()

    hass.services.async_register(DOMAIN, SERVICE_START_WORKER, start_worker, START_SCHEMA)
    hass.services.async_register(DOMAIN, SERVICE_STOP_WORKER, stop_worker, STOP_SCHEMA)
    hass.services.async_register(DOMAIN, SERVICE_SCHEDULE_POWER, schedule_power, SCHEDULE_SCHEMA)
