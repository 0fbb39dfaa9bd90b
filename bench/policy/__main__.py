"""``python -m bench.policy [--scenario FILE] [--days N] --report DIR``: the policies, one site.

Builds the run's traces once, then drives ``ours`` (the integration's policy with the options a
user sets), ``naive``, ``evcc``, off-grid ``soc_rule``, and ``none`` over the same minutes, two at
a time in forked processes, works out the ``bound``, and writes ``DIR/report.json`` and the plots.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
from pathlib import Path
from typing import Any

from bench.policy.bound import PackWindow, grid_tied_bound, harvest_ceiling_w, off_grid_bound
from bench.policy.controllers import Controller, Evcc, Naive, Never, Ours, SocRule
from bench.policy.run import BROWNOUT_SOC, Tally, run_grid_tied, run_off_grid
from bench.policy.scenario import BenchScenario, load_bench
from bench.policy.traces import Traces, build
from custom_components.positive_energy_worker.sun import Site

GRID_POLICIES = ("ours", "naive", "evcc", "none")
OFF_GRID_POLICIES = ("ours", "naive", "evcc", "soc_rule", "none")
_RUN: dict[str, Any] = {}  # the scenario and traces, inherited by forked workers


def _controller(name: str, s: BenchScenario) -> Controller:
    b = s.baselines
    if name == "ours":
        battery_wh = 0.0 if s.off_grid is None else s.off_grid.capacity_wh
        site = s.sim.site
        return Ours(s.settings(), battery_wh, Site(site.latitude, site.longitude))
    if name == "naive":
        return Naive(s.worker_watts)
    if name == "evcc":
        return Evcc(
            s.worker_watts,
            b.evcc_enable_s,
            b.evcc_disable_s,
            b.evcc_disable_import_w,
            b.evcc_guard_s,
        )
    if name == "soc_rule":
        return SocRule()
    if name == "none":
        return Never()
    raise ValueError(f"no policy {name!r}")


def run_policy(name: str) -> tuple[str, Tally, dict[str, int], float]:
    """One policy over the whole run (in a worker process)."""
    s: BenchScenario = _RUN["scenario"]
    tr: Traces = _RUN["traces"]
    started = time.process_time()
    controller = _controller(name, s)
    if s.kind == "grid_tied":
        tally = run_grid_tied(s, tr, controller)
    else:
        from hardware_bridge.sim.battery import Battery

        battery = Battery(s.sim.hardware.battery.pack, s.sim.initial_soc, s.sim.charge_controller)
        tally = run_off_grid(s, tr, controller, battery)
    reasons = controller.reasons if isinstance(controller, Ours) else {}
    return name, tally, reasons, time.process_time() - started


def report_of(s: BenchScenario, tr: Traces, tallies: dict[str, Tally]) -> dict[str, Any]:
    """Every policy's metrics, and the bound's."""
    report: dict[str, Any] = {}
    if s.kind == "grid_tied":
        for name, tally in tallies.items():
            report[name] = tally.report()
        bound = grid_tied_bound(tr.offers, tr.panel_w - tr.home_w, tr.busy, s.worker_watts)
        report["bound"] = {"green_compute_hours": round(bound, 1)}
        return report
    assert s.off_grid is not None
    none = tallies["none"]
    # The surplus a worker could have taken: what ``none`` curtails, at most what the worker
    # draws running all the time (the battery moves energy in time, so no cap per minute).
    takeable_wh = min(none.curtailed_wh, s.worker_watts * tr.minutes / 60.0)
    for name, tally in tallies.items():
        metrics = tally.report()
        avoided_wh = max(0.0, none.curtailed_wh - tally.curtailed_wh)
        # Of the curtailment compute avoided, the completed tasks' share of compute's energy.
        completed = tally.completed_wh / tally.compute_wh if tally.compute_wh else 0.0
        metrics["surplus_used"] = round(min(1.0, avoided_wh * completed / takeable_wh), 4)
        metrics["curtailment_avoided"] = round(avoided_wh * completed / none.curtailed_wh, 4)
        metrics["dark_hours"] = round(tally.dark_minutes / 60.0, 1)
        metrics["dark_hours_added"] = round(
            max(0, tally.dark_minutes - none.dark_minutes) / 60.0, 1
        )
        metrics["brownouts_added"] = max(0, tally.brownouts - none.brownouts)
        report[name] = metrics
    report["bound"] = {"green_compute_hours": round(_off_grid_bound(s, tr, none), 1)}
    return report


def _off_grid_bound(s: BenchScenario, tr: Traces, none: Tally) -> float:
    """The most a policy adding no dark hour can have, with this site's pack and panel."""
    pack = PackWindow.of(s.sim.hardware.battery.pack, BROWNOUT_SOC, s.sim.initial_soc)
    harvest = harvest_ceiling_w(tr.panel_w, tr.panel_v, s.sim.charge_controller, pack.top_volts)
    pi_w = s.sim.load.watts(0.0)
    dark_hours = none.dark_minutes / 60.0
    return off_grid_bound(tr.offers, harvest, pi_w, s.worker_watts, pack, dark_hours)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.policy", description=__doc__)
    parser.add_argument("--scenario", default="grid_tied", help="a name in scenarios/ or a path")
    parser.add_argument("--days", type=int, help="days to run (default: the scenario's)")
    parser.add_argument("--report", required=True, type=Path, help="directory for the report")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--no-plots", action="store_true")
    args = parser.parse_args(argv)
    began = time.monotonic()
    s = load_bench(args.scenario)
    if args.days:
        s = s.with_days(args.days)
    tr = build(s)
    built = time.monotonic() - began
    _RUN.update(scenario=s, traces=tr)
    names = list(OFF_GRID_POLICIES if s.kind == "off_grid" else GRID_POLICIES)
    if args.processes > 1:
        with multiprocessing.get_context("fork").Pool(args.processes) as pool:
            results = pool.map(run_policy, names, chunksize=1)
    else:
        results = [run_policy(n) for n in names]
    tallies = {name: tally for name, tally, _, _ in results}
    report = report_of(s, tr, tallies)
    report["ours"]["reasons"] = dict(sorted(results[0][2].items()))
    args.report.mkdir(parents=True, exist_ok=True)
    (args.report / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    if not args.no_plots:
        from bench.policy.plots import plot_all

        plot_all(s, tr, tallies, args.report)
    seconds = time.monotonic() - began
    print(f"{s.name}: {s.days} days, traces {built:.0f} s, total {seconds:.0f} s")
    for name, _, _, cpu in results:
        print(f"  {name}: {cpu:.0f} s CPU")
    print(
        json.dumps(
            {k: {m: v for m, v in r.items() if m != "reasons"} for k, r in report.items()}, indent=1
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
