"""The Home Assistant releases the project names, as pyproject.toml pins them."""

from __future__ import annotations

import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def newest_version() -> str:
    """The newest release (the ``newest-ha`` group: one line moves it to the next)."""
    groups = tomllib.loads(PYPROJECT.read_text())["dependency-groups"]
    (pin,) = groups["newest-ha"]
    return str(pin.split("==")[1])
