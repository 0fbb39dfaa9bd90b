"""Fixtures shared by every suite: a private Docker engine and real bridge processes."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import pytest_socket

from tests.support.bridge import BridgeProcess
from tests.support.dockerd import PrivateDockerd

# The machine's hooks: what it cannot run is skipped, saying why.
from tests.support.machine import pytest_collection_modifyitems, pytest_configure  # noqa: F401


@pytest.fixture(scope="session")
def docker_engine() -> Iterator[PrivateDockerd]:
    """A Docker engine of the tests' own, with the stand-in worker image built in it."""
    engine = PrivateDockerd.create()
    engine.start()
    try:
        engine.build_standin_image()
        yield engine
    finally:
        engine.discard()


@pytest.fixture
def bridges(tmp_path: Path) -> Iterator[list[BridgeProcess]]:
    """Bridges started by a test are stopped after it."""
    started: list[BridgeProcess] = []
    yield started
    for bridge in started:
        bridge.stop()


@pytest.fixture
def docker_sdk_allowed() -> Iterator[None]:
    """Let the test itself talk to the engine's unix socket through the docker SDK.

    Home Assistant's test plugin guards ``connect`` to 127.0.0.1 without unix sockets (asyncio's
    own socketpairs do not connect); the bridge's suite on 3.11 runs without that guard.
    """
    guarded = socket.socket.connect is not pytest_socket._true_connect
    if guarded:
        pytest_socket.socket_allow_hosts(["127.0.0.1"], allow_unix_socket=True)
    yield
    if guarded:
        pytest_socket.socket_allow_hosts(["127.0.0.1"])
