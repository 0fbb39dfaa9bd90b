"""How long ``hardware-bridge read --simulate --json`` takes, next to bare interpreter starts.

The issue's bar is an answer in under 2 s. Wall time depends on the machine, so the report also
gives the ratio to two baselines timed in the same run, interleaved: a bare ``python -c pass`` and
``python -c "import pvlib"`` (the simulation's heaviest import, which a real Pi never loads).

    .venv/bin/python bench/read_latency.py [--runs 10] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

BRIDGE = [sys.executable, "-m", "hardware_bridge"]
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "import pvlib": [sys.executable, "-c", "import pvlib"],
    "read --simulate --json": [*BRIDGE, "read", "--simulate", "--json"],
    "read --simulate li_ion_gauge": [*BRIDGE, "read", "--simulate", "li_ion_gauge", "--json"],
}
BUDGET_SECONDS = 2.0


def time_once(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--json", type=Path, help="write the results here too")
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for command in COMMANDS.values():
        time_once(command)  # warm the page cache
    for _ in range(args.runs):
        for name, command in COMMANDS.items():  # interleaved: drift hits every command alike
            times[name].append(time_once(command))
    base = statistics.median(times["python -c pass"])
    results = {
        name: {
            "median_s": statistics.median(runs),
            "max_s": max(runs),
            "ratio_to_bare_python": statistics.median(runs) / base,
        }
        for name, runs in times.items()
    }
    print(f"{'command':<30} {'median s':>9} {'max s':>7} {'x python':>9}")
    for name, r in results.items():
        print(
            f"{name:<30} {r['median_s']:>9.3f} {r['max_s']:>7.3f} {r['ratio_to_bare_python']:>9.1f}"
        )
    worst = max(results["read --simulate --json"]["max_s"], 0.0)
    print(
        f"budget: every read under {BUDGET_SECONDS} s: {'ok' if worst < BUDGET_SECONDS else 'OVER'}"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
