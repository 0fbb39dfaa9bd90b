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


@pytest.mark.parametrize("scenario", ["grid_tied", "off_grid"])
def test_a_few_days_give_a_report_and_plots(scenario: str, tmp_path: Path):
    args = ["--scenario", scenario, "--days", "3", "--processes", "1", "--report", str(tmp_path)]
    assert main(args) == 0
    report = json.loads((tmp_path / "report.json").read_text())
    assert set(report) == {"ours", "naive", "evcc", "oracle"}
    for metrics in report.values():
        assert set(metrics) >= METRICS
    assert report["ours"]["tasks_cut"] == 0
    assert report["ours"]["brownouts"] == 0
    assert report["oracle"]["green_compute_hours"] >= report["ours"]["green_compute_hours"]
    assert (tmp_path / f"{scenario}_day.png").stat().st_size > 10_000
    assert (tmp_path / f"{scenario}_year.png").stat().st_size > 10_000
