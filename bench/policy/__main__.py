"""``python -m bench.policy [--scenario FILE] [--days N] --report DIR``: four policies, one site.

Builds the run's traces once, then drives ``ours`` (the integration's policy), ``naive``,
``evcc`` and ``oracle`` over the same minutes, two at a time in forked processes, and writes
``DIR/report.json`` and the plots.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.policy.controllers import Controller, Evcc, Naive, Never, Ours
from bench.policy.oracle import GridOracle, OffGridOracle
from bench.policy.run import Tally, run_grid_tied, run_off_grid
from bench.policy.scenario import BenchScenario, load_bench
from bench.policy.traces import TaskQueue, Traces, build

POLICIES = ("ours", "naive", "evcc", "oracle")
_RUN: dict[str, Any] = {}  # the scenario and traces, inherited by forked workers


def _controller(
    name: str, s: BenchScenario, tr: Traces, queue: TaskQueue, battery: Any
) -> Controller:
    b = s.baselines
    if name == "ours":
        return Ours(s.settings(), 0.0 if s.off_grid is None else s.off_grid.capacity_wh)
    if name == "naive":
        return Naive()
    if name == "evcc":
        return Evcc(
            s.worker_watts,
            b.evcc_enable_s,
            b.evcc_disable_s,
            b.evcc_disable_import_w,
            b.evcc_guard_s,
        )
    if name == "none":
        return Never()
    if s.kind == "grid_tied":
        green = np.clip(tr.panel_w - tr.home_w, 0.0, s.worker_watts)
        # Like every policy, the oracle starts a task only on some surplus and no device busy.
        return GridOracle(green, (tr.busy == 0) & (green > 0), s.worker_watts, queue)
    assert s.off_grid is not None
    return OffGridOracle(battery, tr.panel_w, tr.panel_v, s.sim.load, s.off_grid.reserve_soc, queue)


def run_policy(name: str) -> tuple[str, Tally, dict[str, int], float]:
    """One policy over the whole run (in a worker process)."""
    s: BenchScenario = _RUN["scenario"]
    tr: Traces = _RUN["traces"]
    started = time.process_time()
    queue = TaskQueue(s)
    battery = None
    if s.kind == "off_grid":
        from hardware_bridge.sim.battery import Battery

        battery = Battery(s.sim.hardware.battery.pack, s.sim.initial_soc, s.sim.charge_controller)
    controller = _controller(name, s, tr, queue, battery)
    if s.kind == "grid_tied":
        tally = run_grid_tied(s, tr, controller, queue)
    else:
        assert battery is not None
        tally = run_off_grid(s, tr, controller, queue, battery)
    reasons = controller.reasons if isinstance(controller, Ours) else {}
    return name, tally, reasons, time.process_time() - started


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
    names = [*POLICIES, "none"] if s.kind == "off_grid" else list(POLICIES)
    if args.processes > 1:
        with multiprocessing.get_context("fork").Pool(args.processes) as pool:
            results = pool.map(run_policy, names, chunksize=1)
    else:
        results = [run_policy(n) for n in names]
    tallies = {name: tally for name, tally, _, _ in results}
    if s.kind == "off_grid":
        curtailed = tallies.pop("none").curtailed_wh
        for tally in tallies.values():
            tally.surplus_wh = curtailed
    report: dict[str, Any] = {name: tallies[name].report() for name in POLICIES}
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
