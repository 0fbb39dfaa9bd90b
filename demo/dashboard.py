"""The dashboard: ``docs/dashboard.yaml`` (the example users paste) as a YAML-mode dashboard of
the demo's Home Assistant, with the earnings view (``docs/dashboard-earnings.yaml``) when the
chain runs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .settings import REPO

DASHBOARD = REPO / "docs" / "dashboard.yaml"
EARNINGS_VIEW = REPO / "docs" / "dashboard-earnings.yaml"
URL_PATH = "solar-compute"
TV = "input_boolean.tv"  # the demo's home device that compute yields to (demo/home_assistant.py)
FILENAME = "dashboards/solar_compute.yaml"
# configuration.yaml's part: the dashboard in the sidebar, read from FILENAME.
LOVELACE = f"""\
lovelace:
  dashboards:
    {URL_PATH}:
      mode: yaml
      filename: {FILENAME}
      title: Solar compute
      icon: mdi:solar-power-variant
      show_in_sidebar: true
"""


def _show_one_simulated_day(dashboard: dict[str, Any], speed: float) -> None:
    """History graphs span a simulated day: at 60x, 24 minutes instead of the hour a home sees."""
    for view in dashboard["views"]:
        for section in view.get("sections", []):
            for card in section["cards"]:
                if card["type"] == "history-graph":
                    card["hours_to_show"] = round(24 / speed, 2)


@dataclass(frozen=True)
class SimulatedClock:
    """The bridge's simulated clock: at ``real`` (epoch s) it read ``simulated``; it runs
    ``speed`` times faster."""

    real: float
    simulated: float
    speed: float


def clock_card(clock: SimulatedClock) -> dict[str, Any]:
    """A line with the simulated time at the site, which the graphs (real time) cannot show.

    Redrawn with each reading of the panel (a template follows the entities it reads), so it
    moves as the simulated minutes pass, not once a real minute as ``now()`` alone would."""
    content = (
        "{% set _ = states('sensor.solar_panel_power') %}"
        f"{{% set t = {clock.simulated:.0f} + (as_timestamp(now()) - {clock.real:.0f})"
        f" * {clock.speed:g} %}}"
        '<ha-icon icon="mdi:clock-fast"></ha-icon> Simulated time at the site: '
        "**{{ t | timestamp_custom('%H:%M', true) }}**, "
        "{{ t | timestamp_custom('%B %-d', true) }}"
        f" ({clock.speed:g} times real time; the graphs' axes show the real time)"
    )
    return {"type": "markdown", "content": content}


def _add_tv(dashboard: dict[str, Any]) -> None:
    """The demo's TV, beside the compute window: turn it on and the window waits for it."""
    for section in dashboard["views"][0]["sections"]:
        cards = section["cards"]
        if any(card.get("entity") == "binary_sensor.iexec_worker_compute_window" for card in cards):
            cards.append(
                {"type": "tile", "entity": TV, "name": "TV", "features": [{"type": "toggle"}]}
            )


def install_dashboard(
    config_dir: Path, *, speed: float, with_earnings: bool, clock: SimulatedClock | None = None
) -> Path:
    """Write the dashboard where ``LOVELACE`` points; its path."""
    dashboard = yaml.safe_load(DASHBOARD.read_text())
    _show_one_simulated_day(dashboard, speed)
    _add_tv(dashboard)
    if clock is not None:
        dashboard["views"][0]["sections"][0]["cards"].insert(0, clock_card(clock))
    if with_earnings:
        dashboard["views"].extend(yaml.safe_load(EARNINGS_VIEW.read_text()))
    target = config_dir / FILENAME
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(dashboard, sort_keys=False, allow_unicode=True))
    return target
