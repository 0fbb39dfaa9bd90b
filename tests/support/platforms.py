"""The platform this machine is not: for images that must be refused here."""

from __future__ import annotations

import platform


def other_architecture() -> str:
    """An architecture this machine's engine cannot run: arm64 on an amd64 host, else amd64."""
    return "arm64" if platform.machine() in ("x86_64", "amd64") else "amd64"
