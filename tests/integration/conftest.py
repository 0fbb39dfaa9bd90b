"""Home Assistant with the integration, talking to real bridge processes on loopback."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.positive_energy_worker.config_flow import PEWConfigFlow
from custom_components.positive_energy_worker.const import DOMAIN
from tests.support.bridge import BridgeProcess, bridge_without_docker
from tests.support.chain import RLC, WORKER, Anvil, Poco, deploy, fund_worker


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load custom_components/ in every test."""


# How Home Assistant reports a custom integration's use of what it deprecates, or misuse it will
# refuse later: in its log (helpers/frame.py, helpers/deprecation.py), not as Python warnings.
REPORTED_USAGE = re.compile(
    rf"Detected that custom integration '{DOMAIN}'|deprecated .* was (used|called) from {DOMAIN}\b"
)


@pytest.fixture(autouse=True)
def nothing_deprecated_used(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """A test fails when Home Assistant reports that the integration uses what it deprecates."""
    yield
    records = [*caplog.get_records("setup"), *caplog.get_records("call")]
    reports = [r.getMessage() for r in records if REPORTED_USAGE.search(r.getMessage())]
    assert not reports, reports


@pytest.fixture
def bridge(tmp_path: Path) -> Iterator[BridgeProcess]:
    """A simulated bridge whose Docker engine is absent (the worker shows degraded)."""
    process = bridge_without_docker(tmp_path)
    yield process
    process.stop()


def entry_for(bridge: BridgeProcess, **options: object) -> MockConfigEntry:
    """An entry as the config flow creates it today, for this bridge."""
    device_id = (bridge.data_dir / "device_id").read_text().strip()
    return MockConfigEntry(
        domain=DOMAIN,
        version=PEWConfigFlow.VERSION,
        minor_version=PEWConfigFlow.MINOR_VERSION,
        title=f"Solar Pi {device_id[:6]}",
        unique_id=device_id,
        data={"host": "127.0.0.1", "port": bridge.port, "token": bridge.token},
        options=options,
    )


async def set_up(hass: HomeAssistant, bridge: BridgeProcess) -> MockConfigEntry:
    """The entry for this bridge, loaded, with its platforms set up."""
    entry = entry_for(bridge)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def options_step(
    hass: HomeAssistant, entry: MockConfigEntry, step: str, data: dict[str, Any]
) -> dict[str, Any]:
    """Open the options, choose ``step`` in the menu and submit ``data``: the flow's result."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": step}
    )
    assert (result["type"], result["step_id"]) == (FlowResultType.FORM, step)
    return await hass.config_entries.options.async_configure(result["flow_id"], data)


@pytest.fixture
def anvil(tmp_path: Path) -> Iterator[Anvil]:
    """An anvil whose chain outlives a stop (its state file)."""
    node = Anvil(state=tmp_path / "anvil.json").start()
    yield node
    node.stop()


@pytest.fixture
def poco(anvil: Anvil) -> Poco:
    """PoCo deployed; the worker holds 60 RLC and has 40 more staked."""
    deployed = deploy(anvil.rpc_url)
    fund_worker(deployed, WORKER, rlc=100 * RLC, deposit=40 * RLC)
    return deployed
