"""Home Assistant with the integration, talking to real bridge processes on loopback."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.positive_energy_worker.config_flow import PEWConfigFlow
from custom_components.positive_energy_worker.const import DOMAIN
from tests.support.bridge import BridgeProcess, write_config


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load custom_components/ in every test."""


# How Home Assistant reports a custom integration's use of what it deprecates, or misuse it will
# refuse later: in its log (helpers/frame.py, helpers/deprecation.py), not as Python warnings.
REPORTED_USAGE = re.compile(
    rf"Detected that custom integration '{DOMAIN}'|deprecated .* was used from {DOMAIN}\b"
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
    config = write_config(tmp_path / "b.toml", docker_url=f"unix://{tmp_path}/none", tmp=tmp_path)
    process = BridgeProcess(tmp_path / "data", config=config).start()
    yield process
    process.stop()


def entry_for(bridge: BridgeProcess, **options: float) -> MockConfigEntry:
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
