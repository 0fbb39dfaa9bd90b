"""Every config-flow path, against real bridges (and a plain web server that is not one)."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import timedelta
from ipaddress import ip_address

import pytest
from homeassistant.config_entries import SOURCE_USER, SOURCE_ZEROCONF, ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_PORT, CONF_TOKEN
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

import custom_components.positive_energy_worker as integration
from custom_components.positive_energy_worker.const import DOMAIN
from custom_components.positive_energy_worker.models import Deadbands
from tests.integration.conftest import entry_for, options_step, set_up
from tests.support.bridge import BridgeProcess

pytestmark = pytest.mark.usefixtures("socket_enabled")
# For a test that types in a name (localhost): the test plugin's stand-in resolver is one for the
# whole session, on the session's event loop, and is closed with the first test's Home Assistant
# (2026.x): a name typed in needs Home Assistant's own resolver.
resolves_names = pytest.mark.usefixtures("disable_mock_zeroconf_resolver", "mock_async_zeroconf")


def device_id(bridge: BridgeProcess) -> str:
    return (bridge.data_dir / "device_id").read_text().strip()


def discovery(bridge: BridgeProcess, port: int | None = None) -> ZeroconfServiceInfo:
    return ZeroconfServiceInfo(
        ip_address=ip_address("127.0.0.1"),
        ip_addresses=[ip_address("127.0.0.1")],
        hostname="pew.local.",
        name=f"Positive Energy Bridge {device_id(bridge)}._positive-energy._tcp.local.",
        port=port or bridge.port,
        type="_positive-energy._tcp.local.",
        properties={"device_id": device_id(bridge), "version": "0.1.0", "api": "1"},
    )


@pytest.fixture
def plain_web_server(tmp_path):
    """Something that answers HTTP but is no bridge."""
    process = subprocess.Popen(
        [sys.executable, "-m", "http.server", "0", "--bind", "127.0.0.1", "-d", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    line = process.stdout.readline()
    yield int(re.search(r"port (\d+)", line)[1])
    process.terminate()
    process.wait()


def shown(result) -> dict[str, object]:
    """What a form shows in each field: the value it keeps (suggested), if any."""
    return {
        str(key): (key.description or {}).get("suggested_value")
        for key in result["data_schema"].schema
    }


async def user_flow(hass: HomeAssistant, host: str, port: int, token: str):
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: host, CONF_PORT: port, CONF_TOKEN: token}
    )


async def no_chain(hass: HomeAssistant, result, step: str = "chain"):
    """Answer the chain step that follows a bridge found: no chain."""
    assert (result["type"], result["step_id"]) == (FlowResultType.FORM, step)
    return await hass.config_entries.flow.async_configure(result["flow_id"], {"network": "none"})


async def test_user_flow_creates_the_entry(hass: HomeAssistant, bridge) -> None:
    result = await no_chain(hass, await user_flow(hass, "127.0.0.1", bridge.port, bridge.token))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].options == {"network": "none"}
    assert result["title"] == f"Solar Pi {device_id(bridge)[:6]}"
    assert result["data"] == {
        CONF_HOST: "127.0.0.1",
        CONF_PORT: bridge.port,
        CONF_TOKEN: bridge.token,
    }
    assert result["result"].unique_id == device_id(bridge)


@pytest.mark.parametrize("case", ["cannot_connect", "invalid_auth", "not_a_bridge"])
async def test_user_flow_names_what_is_wrong_and_recovers(
    hass: HomeAssistant, bridge, plain_web_server, case
) -> None:
    port, token = {
        "cannot_connect": (1, bridge.token),
        "invalid_auth": (bridge.port, "not-the-token"),
        "not_a_bridge": (plain_web_server, bridge.token),
    }[case]
    result = await user_flow(hass, "127.0.0.1", port, token)
    assert result["type"] is FlowResultType.FORM
    assert (
        result["errors"]
        == {
            "cannot_connect": {"base": "cannot_connect"},
            "invalid_auth": {CONF_TOKEN: "invalid_auth"},  # beside the field to fix
            "not_a_bridge": {"base": "not_a_bridge"},
        }[case]
    )
    assert shown(result) == {CONF_HOST: "127.0.0.1", CONF_PORT: port, CONF_TOKEN: token}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: "127.0.0.1", CONF_PORT: bridge.port, CONF_TOKEN: bridge.token},
    )
    result = await no_chain(hass, result)
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_a_port_out_of_range_is_named_beside_the_field_and_kept(
    hass: HomeAssistant, bridge
) -> None:
    result = await user_flow(hass, "127.0.0.1", 70000, bridge.token)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_PORT: "out_of_range"}
    assert shown(result) == {CONF_HOST: "127.0.0.1", CONF_PORT: 70000, CONF_TOKEN: bridge.token}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: "127.0.0.1", CONF_PORT: bridge.port, CONF_TOKEN: bridge.token},
    )
    result = await no_chain(hass, result)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_PORT] == bridge.port
    assert isinstance(result["data"][CONF_PORT], int)


async def test_the_same_bridge_twice_is_aborted(hass: HomeAssistant, bridge) -> None:
    entry_for(bridge).add_to_hass(hass)
    result = await user_flow(hass, "127.0.0.1", bridge.port, bridge.token)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_zeroconf_discovery_is_confirmed_with_the_token(hass: HomeAssistant, bridge) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=discovery(bridge)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "zeroconf_confirm"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_TOKEN: "wrong"}
    )
    assert result["errors"] == {CONF_TOKEN: "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_TOKEN: bridge.token}
    )
    result = await no_chain(hass, result)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == device_id(bridge)
    assert result["data"][CONF_PORT] == bridge.port


async def test_discovery_of_a_known_bridge_updates_its_address(hass: HomeAssistant, bridge) -> None:
    entry = entry_for(bridge)
    entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=discovery(bridge, port=bridge.port + 1)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_PORT] == bridge.port + 1


async def test_discovery_without_a_device_id_is_not_a_bridge(hass: HomeAssistant, bridge) -> None:
    info = discovery(bridge)
    info.properties = {}
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=info
    )
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "not_a_bridge")


async def test_a_refused_token_starts_reauth_and_a_new_token_fixes_it(
    hass: HomeAssistant, bridge
) -> None:
    entry = entry_for(bridge)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_TOKEN: "old"})
    assert not await hass.config_entries.async_setup(entry.entry_id)
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == ["reauth"]
    result = await hass.config_entries.flow.async_configure(
        flows[0]["flow_id"], {CONF_TOKEN: bridge.token}
    )
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "reauth_successful")
    assert entry.data[CONF_TOKEN] == bridge.token
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    await hass.config_entries.async_unload(entry.entry_id)


@resolves_names
async def test_reconfigure_moves_the_entry_but_not_to_another_bridge(
    hass: HomeAssistant, bridge, tmp_path
) -> None:
    entry = entry_for(bridge)
    entry.add_to_hass(hass)
    other = BridgeProcess(tmp_path / "other").start()
    try:
        result = await entry.start_reconfigure_flow(hass)
        assert result["step_id"] == "reconfigure"
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {CONF_HOST: "127.0.0.1", CONF_PORT: other.port, CONF_TOKEN: other.token},
        )
        assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "wrong_device")
        result = await entry.start_reconfigure_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {CONF_HOST: "localhost", CONF_PORT: bridge.port, CONF_TOKEN: bridge.token},
        )
        result = await no_chain(hass, result, "reconfigure_chain")
        assert (result["type"], result["reason"]) == (
            FlowResultType.ABORT,
            "reconfigure_successful",
        )
        assert entry.data[CONF_HOST] == "localhost"
    finally:
        other.stop()
    await hass.async_block_till_done()
    await hass.config_entries.async_unload(entry.entry_id)


@resolves_names
async def test_reconfigure_keeps_what_was_typed_after_an_error_and_the_stored_token(
    hass: HomeAssistant, bridge
) -> None:
    entry = entry_for(bridge)
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    # The saved address is shown; the token is not (empty keeps it).
    assert shown(result) == {CONF_HOST: "127.0.0.1", CONF_PORT: bridge.port, CONF_TOKEN: None}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "localhost", CONF_PORT: 1}
    )
    assert result["errors"] == {"base": "cannot_connect"}
    assert shown(result) == {CONF_HOST: "localhost", CONF_PORT: 1, CONF_TOKEN: None}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "localhost", CONF_PORT: bridge.port, CONF_TOKEN: ""}
    )
    result = await no_chain(hass, result, "reconfigure_chain")
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "reconfigure_successful")
    assert entry.data == {CONF_HOST: "localhost", CONF_PORT: bridge.port, CONF_TOKEN: bridge.token}
    await hass.async_block_till_done()
    await hass.config_entries.async_unload(entry.entry_id)


async def test_reconfigure_with_a_wrong_token_says_so_beside_it(
    hass: HomeAssistant, bridge
) -> None:
    entry = entry_for(bridge)
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    typed = {CONF_HOST: "127.0.0.1", CONF_PORT: bridge.port, CONF_TOKEN: "not-the-token"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], typed)
    assert result["errors"] == {CONF_TOKEN: "invalid_auth"}
    assert shown(result) == typed
    assert entry.data[CONF_TOKEN] == bridge.token


async def test_options_set_the_deadbands(hass: HomeAssistant, bridge) -> None:
    entry = entry_for(bridge)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    options = {"power": 2.0, "voltage": 0.1, "soc": 1.0, "optional_entities": False}
    result = await options_step(hass, entry, "push", options)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options == options
    assert entry.runtime_data.coordinator.deadbands == Deadbands(power=2.0, voltage=0.1, soc=1.0)
    await hass.config_entries.async_unload(entry.entry_id)


async def test_options_turn_the_optional_entities_on_and_off(hass: HomeAssistant, bridge) -> None:
    entry = entry_for(bridge)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    registry = er.async_get(hass)
    assert registry.async_get("sensor.battery_current").disabled_by is not None

    async def set_optional(enabled: bool) -> None:
        await options_step(
            hass,
            entry,
            "push",
            {"power": 0.5, "voltage": 0.05, "soc": 0.5, "optional_entities": enabled},
        )
        await hass.async_block_till_done()

    await set_optional(True)
    for entity in ("sensor.battery_current", "sensor.iexec_worker_memory_use"):
        assert registry.async_get(entity).disabled_by is None
    assert registry.async_get("sensor.battery_state_of_charge").disabled_by is None
    await set_optional(False)
    assert (
        registry.async_get("sensor.battery_current").disabled_by
        is er.RegistryEntryDisabler.INTEGRATION
    )
    assert registry.async_get("sensor.battery_state_of_charge").disabled_by is None
    await hass.config_entries.async_unload(entry.entry_id)


OUT_OF_RANGE = [
    (
        "push",
        {"power": -1.0, "voltage": 0.05, "soc": 150.0, "optional_entities": False},
        {"power", "soc"},
    ),
    (
        "surplus",
        {
            "surplus_source": "off_grid",
            "export_positive": False,
            "worker_watts": 0.0,
            "smoothing_s": 4000.0,
        },
        {"worker_watts", "smoothing_s"},
    ),
    ("home_battery", {"max_charge_w": 3000.0, "priority_soc": 150.0}, {"priority_soc"}),
    ("devices", {"idle_power_w": 2.5, "pi_cpu_percent": 0.0}, {"pi_cpu_percent"}),
    (
        "policy",
        {
            "battery_reserve_soc": 40.0,
            "start_margin_w": 0.5,
            "stop_margin_w": 0.5,
            "start_delay_s": 1.5,
            "stop_delay_s": 180.0,
            "min_on_s": -5.0,
            "min_off_s": 600.0,
            "task_hours": 1.0,
            "ride_wh": 2.0,
        },
        {"start_delay_s", "min_on_s"},
    ),
]


@pytest.mark.parametrize(
    ("step", "typed", "wrong"), OUT_OF_RANGE, ids=[s for s, _, _ in OUT_OF_RANGE]
)
async def test_a_number_out_of_range_is_named_beside_its_field_and_kept(
    hass: HomeAssistant, bridge, step, typed, wrong
) -> None:
    entry = entry_for(bridge)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    result = await options_step(hass, entry, step, typed)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == dict.fromkeys(wrong, "out_of_range")
    # The form keeps what was typed; the fields left empty stay empty.
    assert {key: value for key, value in shown(result).items() if value is not None} == typed
    assert entry.options == {}
    await hass.config_entries.async_unload(entry.entry_id)


async def test_a_forecast_day_chosen_twice_is_named_and_the_days_kept(
    hass: HomeAssistant, bridge
) -> None:
    entry = await set_up(hass, bridge)
    days = ["sensor.forecast_tomorrow", "sensor.forecast_day_3", "sensor.forecast_tomorrow"]
    result = await options_step(hass, entry, "policy", {"forecast_days": days})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"forecast_days": "repeated_day"}
    assert shown(result)["forecast_days"] == days  # as chosen, to mend
    assert entry.options == {}
    await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize(
    ("change", "enables"),
    [({"power": 2.0}, False), ({"optional_entities": True}, True)],
)
async def test_saving_options_reloads_the_entry_once(
    hass: HomeAssistant, bridge, monkeypatch, change, enables
) -> None:
    entry = entry_for(bridge)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    setups = count_setups(monkeypatch)
    options = {"power": 0.5, "voltage": 0.05, "soc": 0.5, "optional_entities": False, **change}
    await options_step(hass, entry, "push", options)
    await hass.async_block_till_done()
    # Home Assistant reloads an entry 30 s after entities of it were enabled.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))
    await hass.async_block_till_done()
    assert len(setups) == 1
    assert entry.runtime_data.coordinator.deadbands.power == options["power"]
    if enables:
        assert hass.states.get("sensor.battery_current") is not None
    await hass.config_entries.async_unload(entry.entry_id)


def count_setups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The entry ids ``async_setup_entry`` runs for from now on: one per (re)load."""
    setups: list[str] = []
    real_setup = integration.async_setup_entry

    async def counted(hass: HomeAssistant, entry) -> bool:
        setups.append(entry.entry_id)
        return await real_setup(hass, entry)

    monkeypatch.setattr(integration, "async_setup_entry", counted)
    return setups


@resolves_names
async def test_every_flow_on_a_loaded_entry_reloads_it_once_and_is_not_reported(
    hass: HomeAssistant, bridge, monkeypatch
) -> None:
    """As in a real home, where the entry is always loaded: reconfigure, reauth and options each
    end in exactly one reload, and Home Assistant reports nothing (an update listener beside
    their own reload is reported by 2026.10 and refused from 2026.12)."""
    entry = await set_up(hass, bridge)
    setups = count_setups(monkeypatch)

    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "localhost", CONF_PORT: bridge.port, CONF_TOKEN: ""}
    )
    result = await no_chain(hass, result, "reconfigure_chain")
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "reconfigure_successful")
    await hass.async_block_till_done()
    assert (len(setups), entry.state) == (1, ConfigEntryState.LOADED)
    assert entry.data[CONF_HOST] == "localhost"

    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_TOKEN: bridge.token}
    )
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "reauth_successful")
    await hass.async_block_till_done()
    assert (len(setups), entry.state) == (2, ConfigEntryState.LOADED)

    options = {"power": 2.0, "voltage": 0.05, "soc": 0.5, "optional_entities": False}
    await options_step(hass, entry, "push", options)
    await hass.async_block_till_done()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))
    await hass.async_block_till_done()
    assert (len(setups), entry.state) == (3, ConfigEntryState.LOADED)
    assert entry.runtime_data.coordinator.deadbands.power == 2.0
    # Options saved unchanged apply nothing: no reload.
    await options_step(hass, entry, "push", options)
    await hass.async_block_till_done()
    assert len(setups) == 3
    await hass.config_entries.async_unload(entry.entry_id)


async def test_the_options_menu_offers_each_step(hass: HomeAssistant, bridge) -> None:
    entry = entry_for(bridge)
    entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == [
        "push",
        "surplus",
        "home_battery",
        "devices",
        "policy",
        "chain",
    ]


async def test_the_surplus_step_asks_for_its_sources_sensors_and_keeps_other_options(
    hass: HomeAssistant, bridge
) -> None:
    entry = entry_for(bridge, power=2.0, voltage=0.1, soc=1.0)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    grid = {"surplus_source": "grid", "export_positive": True, "worker_watts": 5.0}
    result = await options_step(hass, entry, "surplus", {**grid, "smoothing_s": 30})
    assert (result["type"], result["errors"]) == (
        FlowResultType.FORM,
        {"base": "grid_power_needed"},
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**grid, "smoothing_s": 30, "grid_power": "sensor.grid"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options["power"] == 2.0  # the push step's options stay
    settings = entry.runtime_data.window.settings  # the entry was reloaded with them
    assert (settings.grid_power, settings.export_positive) == ("sensor.grid", True)
    assert settings.policy.worker_watts == 5.0

    # Off-grid needs no sensor; the grid sensor, emptied, is gone.
    result = await options_step(
        hass, entry, "surplus", {"surplus_source": "off_grid", "worker_watts": 3.7}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert "grid_power" not in entry.options
    assert entry.options["power"] == 2.0
    await hass.config_entries.async_unload(entry.entry_id)


async def test_the_devices_and_policy_steps_reach_the_window(hass: HomeAssistant, bridge) -> None:
    entry = entry_for(bridge)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    result = await options_step(
        hass,
        entry,
        "devices",
        {"idle_entities": ["media_player.tv"], "idle_power_w": 25, "pi_cpu_percent": 60},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    days = ["sensor.solcast_forecast_tomorrow", "sensor.solcast_forecast_day_3"]
    result = await options_step(
        hass,
        entry,
        "policy",
        {"start_delay_s": 30, "battery_reserve_soc": 55, "forecast_days": days},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    window = entry.runtime_data.window
    assert window.settings.forecast_days == tuple(days)  # in the order chosen: day by day
    assert window.settings.idle_entities == ("media_player.tv",)
    assert window.settings.idle_power_w == 25
    assert window.policy.config.start_delay_s == 30
    assert window.policy.config.battery_reserve_soc == 55
    assert window.policy.config.min_on_s == 300  # a default fills what the form left
    await hass.config_entries.async_unload(entry.entry_id)
