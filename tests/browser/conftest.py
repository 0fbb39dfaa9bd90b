"""What the browser tests share: the newest Home Assistant serving its frontend, a simulated
bridge on loopback, and where their screenshots go."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from demo.home_assistant_process import CONFIGURATION, NEWEST, HomeAssistantProcess
from tests.support.bridge import BridgeProcess, bridge_without_docker


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """``PEW_SCREENSHOTS`` if set (``docs/screenshots`` refreshes the README's), else tmp_path."""
    folder = Path(os.environ.get("PEW_SCREENSHOTS", tmp_path / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def configuration() -> str:
    """Home Assistant's configuration.yaml (a test module may add to it)."""
    return CONFIGURATION


@pytest.fixture
def home_assistant(tmp_path: Path, configuration: str) -> Iterator[HomeAssistantProcess]:
    # The release users run: the newest, with its frontend (scripts/current-ha's /venv-newest).
    hass = HomeAssistantProcess(tmp_path / "config", release=NEWEST, configuration=configuration)
    hass.start(timeout=300)
    try:
        hass.onboard()
        yield hass
    finally:
        hass.stop()


@pytest.fixture
def bridge(tmp_path: Path) -> Iterator[BridgeProcess]:
    process = bridge_without_docker(tmp_path)
    yield process
    process.stop()
