"""The benchmark's claims, on the whole TMY year of each shipped scenario.

The committed reports in docs/bench/ must be what the code gives today, so the README's tables
never go stale; and on the full year no policy beats the bound, and ours never cuts a task,
browns the Pi out or adds a dark hour. Whether ours meets the issue's other bars is reported in
bench/README.md, bar by bar, not asserted here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.policy.__main__ import main
from tests.policy.test_bench import METRICS

DOCS = Path(__file__).parents[2] / "docs" / "bench"
HEADLINE = sorted(METRICS)


# A few minutes alone; the suite's default 300 s is too tight on a loaded 2-core machine.
@pytest.mark.timeout(1800)
@pytest.mark.parametrize("scenario", ["grid_tied", "off_grid"])
def test_a_year_keeps_its_invariants_and_matches_the_committed_report(
    scenario: str, tmp_path: Path
):
    args = ["--scenario", scenario, "--processes", "1", "--no-plots", "--report", str(tmp_path)]
    assert main(args) == 0
    report = json.loads((tmp_path / "report.json").read_text())
    bound = report["bound"]["green_compute_hours"]
    ours = report["ours"]
    for name, metrics in report.items():
        if name != "bound" and metrics.get("dark_hours_added", 0) == 0:  # the bound's constraint
            assert metrics["green_compute_hours"] <= bound, name
    assert ours["tasks_cut"] == 0
    assert ours["brownouts"] == 0
    assert ours.get("dark_hours_added", 0) == 0
    committed = json.loads((DOCS / scenario / "report.json").read_text())
    assert set(committed) == set(report)
    for policy, metrics in committed.items():
        keys = [k for k in HEADLINE if k in metrics] or ["green_compute_hours"]
        assert {k: report[policy][k] for k in keys} == {k: metrics[k] for k in keys}, policy


@pytest.mark.parametrize("report", sorted(DOCS.glob("**/report.json")), ids=lambda p: p.parent.name)
def test_no_committed_report_has_a_policy_above_its_bound(report: Path):
    # The held-out sites too: a bound a policy beats is no bound (a lead-acid pack once hid its
    # curtailment, and ours stood at 632 % of it).
    numbers = json.loads(report.read_text())
    bound = numbers.pop("bound")["green_compute_hours"]
    assert max(m["green_compute_hours"] for m in numbers.values()) > 0  # nothing checks nothing
    # Off-grid the bound binds the policies that add no dark hour (the constraint it is under).
    hours = {
        name: m["green_compute_hours"]
        for name, m in numbers.items()
        if m.get("dark_hours_added", 0) == 0
    }
    assert all(h <= bound + 1e-6 for h in hours.values()), (hours, bound)
