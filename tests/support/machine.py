"""The machine the tests run on: its architecture, and the emulator standing in for one.

``scripts/pi-root`` runs the bridge's tests in an arm64 Debian root; on a machine that is not
arm64, qemu-user runs its programs and the script says so in ``PEW_EMULATOR`` (its name and
version). The emulator lacks a few things a Pi has (socket options it does not translate): a test
that needs one is marked ``emulator_lacks(WHAT)`` and skipped there, saying why, and runs
everywhere else. A test of what only an arm64 host does is marked ``arm64_host``: it runs on
arm64, native or emulated, and elsewhere is skipped, saying where it runs.

A pytest plugin: the suite's conftest takes its hooks.
"""

from __future__ import annotations

import contextlib
import os
import platform
from pathlib import Path

import pytest

EMULATOR_ENV = "PEW_EMULATOR"
ARM64_MACHINES = frozenset({"aarch64", "arm64"})

# What qemu-user lacks that a test needs; the README's development notes say how it was found.
MULTICAST_INTERFACE = "the IP_MULTICAST_IF socket option (zeroconf binds its multicast to it)"
CONTAINERS = (
    "starting a container: runc re-executes itself from a sealed memfd, which the emulator "
    "cannot run (README, Development)"
)
needs_containers = pytest.mark.emulator_lacks(CONTAINERS)

MARKERS = (
    "emulator_lacks(what): needs WHAT, which the emulator of scripts/pi-root lacks: skipped under "
    "it, run everywhere else",
    "arm64_host: what an arm64 host (a Pi) does: run on arm64, native or under scripts/pi-root's "
    "emulator; skipped elsewhere",
)


def emulator() -> str | None:
    """The emulator running these tests (``qemu-user 7.2.x``), or None on real hardware."""
    return os.environ.get(EMULATOR_ENV) or None


def arm64_host() -> bool:
    return platform.machine() in ARM64_MACHINES


def describe() -> str:
    """The machine in a line: ``aarch64, Debian 12.12, Python 3.11.2, under qemu-user 7.2.19``."""
    parts = [platform.machine()]
    with contextlib.suppress(OSError):
        parts.append(f"Debian {Path('/etc/debian_version').read_text().strip()}")
    parts.append(f"Python {platform.python_version()}")
    if (name := emulator()) is not None:
        parts.append(f"under {name}")
    return ", ".join(parts)


# How much longer the emulator takes than the machine it runs on, for what the tests wait for
# (a bridge starting: Python and its libraries loading, translated instruction by instruction).
EMULATED_PATIENCE = 5


def patience(seconds: float) -> float:
    """How long to wait for what takes up to ``seconds`` natively: longer under the emulator."""
    return seconds * EMULATED_PATIENCE if emulator() is not None else seconds


def skip_reason(item: pytest.Item) -> str | None:
    """Why ``item`` cannot run on this machine, from its markers; None when it can."""
    if (lacks := item.get_closest_marker("emulator_lacks")) is not None:
        if not lacks.args or not str(lacks.args[0]).strip():
            raise pytest.UsageError(f"{item.nodeid}: emulator_lacks needs what it lacks")
        if (name := emulator()) is not None:
            return f"{name} lacks {lacks.args[0]}"
    if item.get_closest_marker("arm64_host") is not None and not arm64_host():
        return f"needs an arm64 host, not {platform.machine()}: scripts/pi-root runs it there"
    return None


def pytest_configure(config: pytest.Config) -> None:
    for marker in MARKERS:
        config.addinivalue_line("markers", marker)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip, saying why, what this machine cannot run."""
    for item in items:
        if (reason := skip_reason(item)) is not None:
            item.add_marker(pytest.mark.skip(reason=reason))


if __name__ == "__main__":  # scripts/test names the platform it runs the tests on
    print(describe())
