"""The bridge package installs beside any Home Assistant of the tested range: ranges, not pins."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]


def runtime_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = [r for group in project["optional-dependencies"].values() for r in group]
    return [Requirement(r) for r in [*project["dependencies"], *extras]]


def pinned() -> dict[str, str]:
    lines = (ROOT / "constraints.txt").read_text().splitlines()
    pins = [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]
    return {pin.name: str(next(iter(pin.specifier)).version) for pin in pins}


def test_runtime_dependencies_are_ranges_and_the_development_pins_fall_in_them():
    pins = pinned()
    for requirement in runtime_requirements():
        operators = {spec.operator for spec in requirement.specifier}
        assert "==" not in operators, f"{requirement} is an exact pin"
        assert requirement.name in pins, f"{requirement.name} has no development pin"
        assert requirement.specifier.contains(pins[requirement.name]), requirement


def test_the_bridge_accepts_the_aiohttp_of_current_home_assistant():
    # Home Assistant 2026.x ships aiohttp 3.13: the bridge must install beside it.
    aiohttp = next(r for r in runtime_requirements() if r.name == "aiohttp")
    assert aiohttp.specifier.contains("3.13.2")
