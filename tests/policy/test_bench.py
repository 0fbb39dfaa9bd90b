"""The benchmark end to end on a few days: the report's shape, and ours never cuts a task."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.policy.__main__ import main

METRICS = {
    "green_compute_hours",
    "surplus_used",
    "grid_share",
    "cycles_per_day",
    "tasks_cut",
    "brownouts",
}
OFF_GRID = {"brownouts_added", "dark_hours_added", "curtailment_avoided"}


@pytest.mark.parametrize("scenario", ["grid_tied", "off_grid"])
def test_a_few_days_give_a_report_and_plots(scenario: str, tmp_path: Path):
    args = ["--scenario", scenario, "--days", "3", "--processes", "1", "--report", str(tmp_path)]
    assert main(args) == 0
    report = json.loads((tmp_path / "report.json").read_text())
    policies = {"ours", "naive", "evcc", "none"} | (
        {"soc_rule"} if scenario == "off_grid" else set()
    )
    assert set(report) == policies | {"bound"}
    for name in policies:
        assert set(report[name]) >= METRICS | (OFF_GRID if scenario == "off_grid" else set())
    assert report["ours"]["tasks_cut"] == 0
    assert report["ours"]["brownouts"] == 0
    assert report["none"]["green_compute_hours"] == 0
    assert (tmp_path / f"{scenario}_day.png").stat().st_size > 10_000
    assert (tmp_path / f"{scenario}_year.png").stat().st_size > 10_000
