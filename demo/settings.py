"""What the demo runs, from the environment (the variables ``scripts/demo`` documents)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .home_assistant_process import NEWEST, RELEASES, Release

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class DemoSettings:
    """Where the demo keeps its files, the simulated day, its ports and its user."""

    directory: Path  # the bridge's token and counters, Home Assistant's configuration
    scenario: str  # a bridge simulation scenario: a name or a TOML file
    start: str  # the simulated clock's start, local time at the site
    speed: float  # how much faster than real time the simulated clock runs
    bridge_port: int
    home_assistant_port: int
    username: str
    password: str
    docker_url: str | None = None  # an engine to use as is; None: start a private one
    home_assistant: Release = NEWEST  # the release that runs: the newest we test, or the oldest

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> DemoSettings:
        docker_url = env.get("DEMO_DOCKER_HOST") or None
        release = env.get("DEMO_HOME_ASSISTANT", NEWEST.name)
        if release not in RELEASES:
            raise ValueError(f"DEMO_HOME_ASSISTANT={release}: one of {', '.join(RELEASES)}")
        return cls(
            directory=(REPO / env.get("DEMO_DIR", ".demo")).resolve(),
            scenario=env.get("DEMO_SCENARIO", "default"),
            start=env.get("DEMO_START", "2026-06-15T06:00:00"),
            speed=float(env.get("DEMO_SPEED", "60")),
            bridge_port=int(env.get("DEMO_PORT", "8765")),
            home_assistant_port=int(env.get("DEMO_HA_PORT", "8123")),
            username=env.get("DEMO_USER", "demo"),
            password=env.get("DEMO_PASSWORD", "solar-demo"),
            docker_url=docker_url,
            home_assistant=RELEASES[release],
        )
