"""``python -m bench.policy.table DIR...``: the README's tables from report.json files.

One row per policy and the bound per site, and for each site whether ``ours`` meets each of the
issue's bars (green hours at least every baseline's with a grid share of 1 % at most, no task cut,
no brownout or dark hour added, 90 % of the bound, no more cycles than naive). Where a site's
directory holds the informed oracle's ``frontier.json`` (``python -m bench.policy.frontier``), a
last table says what grid share the baselines' hours cost even it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

BASELINES = ("naive", "evcc", "soc_rule")


def _pct(value: float) -> str:
    return f"{100 * value:.2f} %"


def rows(site: str, report: dict[str, Any]) -> list[str]:
    bound = report["bound"]["green_compute_hours"]
    lines = []
    for name, m in report.items():
        if name == "bound":
            continue
        extra = ""
        if "dark_hours_added" in m:
            extra = f" | {m['dark_hours_added']} | {_pct(m['curtailment_avoided'])}"
        else:
            extra = " | - | -"
        share = f"{100 * m['green_compute_hours'] / bound:.1f} %" if bound else "-"
        lines.append(
            f"| {site} | {name} | {m['green_compute_hours']} | {share} | {_pct(m['surplus_used'])}"
            f" | {_pct(m['grid_share'])} | {m['cycles_per_day']} | {m['tasks_cut']}"
            f" | {m['brownouts']}{extra} |"
        )
        site = ""
    lines.append(f"| | bound | {bound} | 100 % | | | | | | | |")
    return lines


def bars(report: dict[str, Any]) -> list[str]:
    """The bars ``ours`` misses on this site (empty: all met)."""
    ours, missed = report["ours"], []
    for name in BASELINES:
        if name in report and ours["green_compute_hours"] < report[name]["green_compute_hours"]:
            missed.append(f"fewer green hours than {name}")
    if ours["grid_share"] > 0.01:
        missed.append(f"grid share {_pct(ours['grid_share'])}")
    if ours["tasks_cut"]:
        missed.append(f"{ours['tasks_cut']} tasks cut")
    if ours.get("brownouts_added", 0) or ours.get("dark_hours_added", 0):
        missed.append(
            f"{ours.get('brownouts_added', 0)} brownouts and {ours.get('dark_hours_added', 0)}"
            " dark hours added"
        )
    bound = report["bound"]["green_compute_hours"]
    if bound and ours["green_compute_hours"] < 0.9 * bound:
        missed.append(f"{100 * ours['green_compute_hours'] / bound:.1f} % of the bound")
    if ours["cycles_per_day"] > report["naive"]["cycles_per_day"]:
        missed.append("more cycles than naive")
    return missed


def most_hours(report: dict[str, Any]) -> str:
    """The baseline with the most green hours."""
    names = [n for n in BASELINES if n in report]
    return max(names, key=lambda n: float(report[n]["green_compute_hours"]))


def floor_row(site: str, report: dict[str, Any], frontier: dict[str, Any]) -> str:
    """The oracle's grid share at the most hours a baseline has, and its hours at the 1 % bar."""
    best = most_hours(report)
    at = frontier["grid_share_at"][best]
    ours = report["ours"]
    return (
        f"| {site} | {best} {report[best]['green_compute_hours']} h"
        f" | {'-' if at is None else _pct(at)} | {frontier['green_hours_at_bar'] or '-'}"
        f" | {ours['green_compute_hours']} h at {_pct(ours['grid_share'])} |"
    )


def main(argv: list[str]) -> int:
    print(
        "| site | policy | green compute h | of bound | surplus used | grid share | cycles/day"
        " | tasks cut | brownouts | dark h added | curtailment avoided |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    verdicts, floors = [], []
    for directory in argv:
        report = json.loads((Path(directory) / "report.json").read_text())
        site = Path(directory).name
        print("\n".join(rows(site, report)))
        missed = bars(report)
        verdicts.append(f"- {site}: " + ("every bar met" if not missed else "; ".join(missed)))
        frontier = Path(directory) / "frontier.json"
        if frontier.exists():
            floors.append(floor_row(site, report, json.loads(frontier.read_text())))
    print()
    print("\n".join(verdicts))
    if floors:
        print()
        print(
            "| site | most green hours of a baseline | the oracle's grid share there"
            " | the oracle's green h at 1 % | ours |"
        )
        print("|---|---|---|---|---|")
        print("\n".join(floors))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
