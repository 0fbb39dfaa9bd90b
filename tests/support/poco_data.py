"""The chain data the integration ships, made from the npm packages: ``python -m
tests.support.poco_data`` writes it, and a test checks the shipped file against a fresh one.

Home Assistant cannot read npm at run time, so the presets' addresses (``deployments/<chain>/``)
and the ABI fragments the chain coordinator uses travel in the integration as JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from tests.support.chain import POCO, RLC_ARTIFACT, hub_abi

SHIPPED = Path(__file__).parents[2] / "custom_components" / "positive_energy_worker" / "poco.json"
# The integration's names for the chains, and the deployments/ folder of each.
NETWORKS = {"arbitrum": "arbitrum", "arbitrum_sepolia": "arbitrumSepolia"}
# What the coordinator reads of the diamond: the escrow account and the worker's events.
HUB_FUNCTIONS = ("balanceOf", "frozenOf")
HUB_EVENTS = (
    "Reward",
    "Seize",
    "Lock",
    "Unlock",
    "TaskContribute",
    "AccurateContribution",
    "FaultyContribution",
)


def _pick(abi: list[dict[str, Any]], kind: str, names: tuple[str, ...]) -> list[dict[str, Any]]:
    by_name = {item["name"]: item for item in abi if item["type"] == kind}
    return [by_name[name] for name in names]


def build() -> dict[str, Any]:
    """The shipped file's content, from the packages on this machine."""
    package = json.loads((POCO / "package.json").read_text())
    networks = {}
    for name, folder in NETWORKS.items():
        records = POCO / "deployments" / folder
        networks[name] = {
            "chain_id": int((records / ".chainId").read_text().strip()),
            "hub": json.loads((records / "Diamond.json").read_text())["address"],
            "rlc": json.loads((records / "RLC.json").read_text())["address"],
        }
    token = json.loads(RLC_ARTIFACT.read_text())["abi"]
    return {
        "source": f"npm {package['name']}@{package['version']}, rlc-faucet-contract@2.0.0",
        "networks": networks,
        "hub_abi": _pick(hub_abi(), "function", HUB_FUNCTIONS)
        + _pick(hub_abi(), "event", HUB_EVENTS),
        "token_abi": _pick(token, "function", ("balanceOf",)),
    }


def render() -> str:
    return json.dumps(build(), indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    SHIPPED.write_text(render())
    sys.stdout.write(f"wrote {SHIPPED}\n")
