"""The dashboard: ``docs/dashboard.yaml`` (the example users paste) as a YAML-mode dashboard of
the demo's Home Assistant, with the earnings view (``docs/dashboard-earnings.yaml``) when the
chain runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .settings import REPO

DASHBOARD = REPO / "docs" / "dashboard.yaml"
EARNINGS_VIEW = REPO / "docs" / "dashboard-earnings.yaml"
URL_PATH = "solar-compute"
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


def install_dashboard(config_dir: Path, *, speed: float, with_earnings: bool) -> Path:
    """Write the dashboard where ``LOVELACE`` points; its path."""
    dashboard = yaml.safe_load(DASHBOARD.read_text())
    _show_one_simulated_day(dashboard, speed)
    if with_earnings:
        dashboard["views"].extend(yaml.safe_load(EARNINGS_VIEW.read_text()))
    target = config_dir / FILENAME
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(dashboard, sort_keys=False, allow_unicode=True))
    return target
