"""Fixtures the demo's tests and the newest release's smoke test share (they drive the same
steps): the demo's chain, and a bridge on loopback whose Docker engine is absent on purpose.
Import them into a test module or a conftest to use them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from demo.chain import ChainStep, chain
from tests.support.bridge import BridgeProcess, bridge_without_docker


@pytest.fixture
def chain_step() -> Iterator[ChainStep]:
    """anvil with the real PoCo contracts, the worker funded and staked (the demo's chain)."""
    with chain() as step:
        assert step is not None, "anvil is not installed: run ./scripts/setup"
        yield step


@pytest.fixture
def idle_bridge(tmp_path: Path) -> Iterator[BridgeProcess]:
    """A bridge without a Docker engine: its worker never runs, the rest answers."""
    (tmp_path / "bridge").mkdir()
    process = bridge_without_docker(tmp_path / "bridge")
    yield process
    process.stop()
