"""The tests' simulated day: the default scenario pinned to a June morning at 60x, whatever the
wall-clock time (the scenario itself starts now, in real time)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hardware_bridge.sim.scenario import Scenario, load_scenario, with_clock

# Local time at the default scenario's site (Greensboro, NC): the sun is up within the hour.
JUNE_MORNING = datetime(2026, 6, 15, 6, tzinfo=ZoneInfo("America/New_York"))
TEST_SPEED = 60.0


def june_morning(name: str = "default") -> Scenario:
    """A scenario started on the tests' June morning at 60x."""
    return with_clock(load_scenario(name), JUNE_MORNING, TEST_SPEED)
