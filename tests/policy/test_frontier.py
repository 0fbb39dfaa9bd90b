"""The informed oracle's frontier: its expectation is the cloud model's, it does not see the minute
clouds or a switch-on ahead, and no controller that knows less and sees its tasks through does
better."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bench.policy.__main__ import _controller
from bench.policy.clouds import PHI
from bench.policy.frontier import Foresight, expected_import, frontier, grid_share_at, main
from bench.policy.run import run_grid_tied
from bench.policy.scenario import load_bench
from bench.policy.traces import MINUTES_PER_DAY, build

WORKER_W = 120.0


@pytest.mark.parametrize("ahead", [1, 3, 10])
def test_the_expected_import_is_the_mean_over_the_cloud_models_futures(ahead: int):
    gain, index, spread, now, home = 1000.0, 0.6, 0.2, -0.5, 420.0
    rng = np.random.default_rng(7)
    noise = np.full(400_000, now)
    for _ in range(ahead):  # the model's AR(1), step by step
        noise = PHI * noise + np.sqrt(1.0 - PHI**2) * rng.standard_normal(len(noise))
    surplus = gain * (index + spread * noise) - home
    sampled = np.clip(WORKER_W - surplus, 0.0, WORKER_W).mean()
    mean = gain * (index + spread * PHI**ahead * now) - home
    sd = gain * spread * np.sqrt(1.0 - PHI ** (2 * ahead))
    expected = float(expected_import(WORKER_W, np.array([mean]), np.array([sd]))[0])
    assert 5.0 < sampled < WORKER_W - 5.0  # a case where the clouds decide
    assert expected == pytest.approx(sampled, rel=0.02)


@pytest.fixture(scope="module")
def two_days():
    s = load_bench("grid_tied").with_days(2)
    tr = build(s)
    return s, tr, Foresight.of(s, tr)


def test_the_oracle_sees_neither_the_clouds_nor_a_switch_on_ahead(two_days):
    _, _, sight = two_days
    t = MINUTES_PER_DAY + 17 * 60  # the second day's noon in Greensboro
    before = sight.expected_grid_wh(WORKER_W, 20)[:, t]
    assert before[-1] > 0.0
    noise = sight.noise.copy()
    noise[t + 1 :] = np.random.default_rng(5).standard_normal(len(noise) - t - 1)
    home = sight.home_w.copy()
    home[t + 3 : t + 7] += 2000.0  # a kettle switched on three minutes later
    later = replace(sight, noise=noise, home_w=home, runs=[*sight.runs, (t + 3, t + 7, 2000.0)])
    # The same to rounding: the kettle is added to the home's load and taken off again.
    assert np.allclose(later.expected_grid_wh(WORKER_W, 20)[:, t], before, rtol=1e-9, atol=1e-9)
    # What it is told does count: the present minute's cloud, a kettle already on.
    noise[t] -= 2.0
    darker = replace(later, noise=noise)
    assert darker.expected_grid_wh(WORKER_W, 20)[-1, t] > before[-1]
    home[t - 1 : t + 3] += 2000.0
    on = replace(sight, home_w=home, runs=[*sight.runs, (t - 1, t + 3, 2000.0)])
    assert on.expected_grid_wh(WORKER_W, 20)[-1, t] > before[-1]


def test_the_command_refuses_an_off_grid_site_and_a_missing_report(tmp_path: Path, capsys):
    with pytest.raises(SystemExit) as off_grid:
        main(["--scenario", "off_grid", "--days", "1"])
    assert off_grid.value.code == 2
    assert "off-grid" in capsys.readouterr().err
    with pytest.raises(SystemExit) as missing:
        main(["--scenario", "grid_tied", "--days", "1", "--report", str(tmp_path)])
    assert missing.value.code == 2
    assert "report.json does not exist" in capsys.readouterr().err
    assert not (tmp_path / "frontier.json").exists()


def test_the_frontier_is_refused_off_grid():
    s = load_bench("off_grid").with_days(1)
    with pytest.raises(ValueError, match="grid-tied"):
        Foresight.of(s, build(s))


@pytest.fixture(scope="module")
def january():
    """Three winter weeks: short days, where hours and grid trade against each other."""
    s = load_bench("grid_tied").with_days(21)
    return s, build(s)


def test_more_hours_cost_more_grid_along_the_frontier(january):
    s, tr = january
    points = frontier(s, tr)
    hours = [p.green_hours for p in points]
    shares = [p.grid_share for p in points]
    assert hours == sorted(hours)
    assert shares == sorted(shares)
    assert hours[0] < hours[-1]
    assert shares[0] < shares[-1]


def test_a_controller_that_knows_less_uses_more_grid_for_its_hours(january):
    # Ours sees every task through, as the oracle does (naive and evcc cut theirs on import).
    s, tr = january
    points = frontier(s, tr)
    tally = run_grid_tied(s, tr, _controller("ours", s)).report()
    oracle = grid_share_at(points, float(tally["green_compute_hours"]))
    assert oracle is not None, (points, tally)
    assert oracle < tally["grid_share"], (points, tally)


DOCS = Path(__file__).parents[2] / "docs" / "bench"


@pytest.mark.timeout(600)
def test_the_committed_frontier_of_the_year_is_what_the_code_gives(tmp_path: Path):
    shutil.copy(DOCS / "grid_tied" / "report.json", tmp_path / "report.json")
    assert main(["--scenario", "grid_tied", "--report", str(tmp_path)]) == 0
    fresh = json.loads((tmp_path / "frontier.json").read_text())
    assert fresh == json.loads((DOCS / "grid_tied" / "frontier.json").read_text())


@pytest.mark.parametrize("path", sorted(DOCS.glob("**/frontier.json")), ids=lambda p: p.parent.name)
def test_no_committed_run_uses_less_grid_than_the_oracle_for_its_hours(path: Path):
    frontier = json.loads(path.read_text())
    report = json.loads((path.parent / "report.json").read_text())
    compared = 0
    for name, share in frontier["grid_share_at"].items():
        # Cutting a task on import is what the oracle does not do, nor ours may.
        if share is not None and name != "bound" and report[name]["tasks_cut"] == 0:
            assert share < report[name]["grid_share"], name
            compared += 1
    assert compared >= 1
