"""Every config-flow path, against real bridges (and a plain web server that is not one)."""

from __future__ import annotations

import re
import subprocess
import sys
from ipaddress import ip_address

import pytest
from homeassistant.config_entries import SOURCE_USER, SOURCE_ZEROCONF
from homeassistant.const import CONF_HOST, CONF_PORT, CONF_TOKEN
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo

from custom_components.positive_energy_worker.client import Deadbands
from custom_components.positive_energy_worker.const import DOMAIN
from tests.integration.conftest import entry_for
from tests.support.bridge import BridgeProcess

pytestmark = pytest.mark.usefixtures("socket_enabled")


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


async def user_flow(hass: HomeAssistant, host: str, port: int, token: str):
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: host, CONF_PORT: port, CONF_TOKEN: token}
    )


async def test_user_flow_creates_the_entry(hass: HomeAssistant, bridge) -> None:
    result = await user_flow(hass, "127.0.0.1", bridge.port, bridge.token)
    assert result["type"] is FlowResultType.CREATE_ENTRY
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
    assert result["errors"] == {"base": case}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: "127.0.0.1", CONF_PORT: bridge.port, CONF_TOKEN: bridge.token},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


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
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_TOKEN: bridge.token}
    )
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
    assert entry.state.recoverable is not None
    await hass.config_entries.async_unload(entry.entry_id)


# The test plugin's stand-in resolver is one for the whole session, on the session's event loop, and
# is closed with the first test's Home Assistant: a name typed in needs Home Assistant's own one.
@pytest.mark.usefixtures("disable_mock_zeroconf_resolver", "mock_async_zeroconf")
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
        assert (result["type"], result["reason"]) == (
            FlowResultType.ABORT,
            "reconfigure_successful",
        )
        assert entry.data[CONF_HOST] == "localhost"
    finally:
        other.stop()
    await hass.async_block_till_done()
    await hass.config_entries.async_unload(entry.entry_id)


async def test_options_set_the_deadbands(hass: HomeAssistant, bridge) -> None:
    entry = entry_for(bridge)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["step_id"] == "init"
    options = {"power": 2.0, "voltage": 0.1, "soc": 1.0, "optional_entities": False}
    result = await hass.config_entries.options.async_configure(result["flow_id"], options)
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
        result = await hass.config_entries.options.async_init(entry.entry_id)
        await hass.config_entries.options.async_configure(
            result["flow_id"],
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
